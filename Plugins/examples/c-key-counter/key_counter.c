/*
 * key_counter.c — a stateful Sluice plugin in plain C99 (ABI 1.2).
 *
 * Reads the `events` topic and, per record key:
 *   - keeps the running count in table `counts` (the value is the count as
 *     decimal ASCII, which is valid JSON); a record with a null value
 *     (tombstone) deletes the key's count;
 *   - counts the key's records in tumbling 10-second windows of the record
 *     timestamp (sluice_windows.h, table `windows`), and when a window closes
 *     produces {"key":"...","window_start":<ms>,"count":<n>} with the record
 *     key to the topic named by the configuration key "output" (default
 *     "key-counts").
 * Records without a key are skipped. Windows take records up to 2 seconds
 * after their end (grace); later ones are skipped (counted in `counts` still).
 *
 * It keeps tables, so it needs a host with ABI 1.2 state support: create()
 * checks the host table (struct_size and the state functions) and refuses an
 * older host with one line. It exports the 1.0 create/validate_config, so an
 * older host reaches that check instead of refusing a descriptor without them.
 *
 * Build:  cc -std=c99 -shared -fPIC -I ../../../PluginAPI/include key_counter.c -o key_counter.so
 *
 * Thread safety: the instance is read-only after create(); every call uses its
 * own stack. The host runs a stateful partition one batch at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "sluice_plugin_helpers.h"
#include "sluice_windows.h"

#define AGENT_NAME "key-counter"
#define OUTPUT_MAX 249 /* Kafka's topic name limit */
#define DEFAULT_OUTPUT "key-counts"

static const char counts_table[] = "counts";
static const char windows_table[] = "windows";
static const sluice_windows ten_seconds = SLUICE_WINDOWS_TUMBLING(windows_table, 10000, 2000);

typedef struct key_counter {
    const sluice_host_api *api;
    sluice_host *host;
    char output[OUTPUT_MAX + 1];
    size_t output_len;
} key_counter;

/* ---- configuration: {"output": "<topic>"}, other keys refused ---- */

static size_t skip_space(const char *s, size_t i, size_t n) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

/* Reads {} or {"output": "<plain string>"}; returns NULL or a reason. */
static const char *parse_config(const char *json, size_t len, char *output, size_t *output_len) {
    memcpy(output, DEFAULT_OUTPUT, sizeof DEFAULT_OUTPUT);
    *output_len = sizeof DEFAULT_OUTPUT - 1;
    if (json == NULL || len == 0) return NULL;
    size_t i = skip_space(json, 0, len);
    if (i == len || json[i] != '{') return "configuration must be a JSON object";
    i = skip_space(json, i + 1, len);
    if (i < len && json[i] == '}') return skip_space(json, i + 1, len) == len ? NULL : "configuration: trailing characters";
    static const char key[] = "\"output\"";
    if (len - i < sizeof key - 1 || memcmp(json + i, key, sizeof key - 1) != 0) {
        return "configuration: the only key is \"output\"";
    }
    i = skip_space(json, i + sizeof key - 1, len);
    if (i == len || json[i] != ':') return "configuration: expected ':' after \"output\"";
    i = skip_space(json, i + 1, len);
    if (i == len || json[i] != '"') return "configuration: 'output' must be a string";
    size_t start = ++i;
    while (i < len && json[i] != '"' && json[i] != '\\') i++;
    if (i == len || json[i] != '"') return "configuration: 'output' must be a plain string without escapes";
    size_t n = i - start;
    if (n == 0) return "configuration: 'output' must not be empty";
    if (n > OUTPUT_MAX) return "configuration: 'output' is longer than 249 bytes";
    i = skip_space(json, i + 1, len);
    if (i == len || json[i] != '}') return "configuration: the only key is \"output\"";
    if (skip_space(json, i + 1, len) != len) return "configuration: trailing characters";
    memcpy(output, json + start, n);
    output[n] = '\0';
    *output_len = n;
    return NULL;
}

static int key_counter_validate_config(const char *config_json, size_t config_len, char *error, size_t error_cap) {
    char output[OUTPUT_MAX + 1];
    size_t output_len;
    const char *reason = parse_config(config_json, config_len, output, &output_len);
    if (reason == NULL) return SLUICE_STATUS_OK;
    sluice_write_error(error, error_cap, reason);
    return SLUICE_STATUS_ERROR;
}

static int key_counter_create(const sluice_host_api *api, sluice_host *host, const char *config_json,
                              size_t config_len, void **instance, char *error, size_t error_cap) {
    /* Before anything touches state: an older host's table ends before state_get. */
    if (sluice_host_state_missing(api, AGENT_NAME, error, error_cap)) return SLUICE_STATUS_ERROR;
    if (!SLUICE_HOST_HAS(api, produce)) {
        sluice_write_error(error, error_cap, AGENT_NAME " needs produce() in the host table");
        return SLUICE_STATUS_ERROR;
    }
    key_counter *self = calloc(1, sizeof *self);
    if (self == NULL) {
        sluice_write_error(error, error_cap, "out of memory");
        return SLUICE_STATUS_ERROR;
    }
    const char *reason = parse_config(config_json, config_len, self->output, &self->output_len);
    if (reason != NULL) {
        free(self);
        sluice_write_error(error, error_cap, reason);
        return SLUICE_STATUS_ERROR;
    }
    self->api = api;
    self->host = host;
    *instance = self;
    return SLUICE_STATUS_OK;
}

/* ---- counts as decimal ASCII ---- */

/* A count read out of state_get (borrowed bytes, parsed in the sink). */
typedef struct count_read {
    uint64_t count;
} count_read;

static uint64_t parse_count(const uint8_t *text, size_t len) {
    uint64_t count = 0;
    for (size_t i = 0; i < len && text[i] >= '0' && text[i] <= '9'; i++) count = count * 10 + (uint64_t)(text[i] - '0');
    return count;
}

static void count_sink(void *context, const uint8_t *value, size_t value_len) {
    ((count_read *)context)->count = parse_count(value, value_len);
}

/* Writes count as decimal into out (at least 20 bytes); returns the length. */
static size_t format_count(uint64_t count, uint8_t *out) {
    uint8_t digits[20];
    size_t n = 0;
    do { digits[n++] = (uint8_t)('0' + count % 10); count /= 10; } while (count != 0);
    for (size_t i = 0; i < n; i++) out[i] = digits[n - 1 - i];
    return n;
}

/* The window updater: adds one to the window's count. */
typedef struct window_increment {
    uint8_t text[20];
} window_increment;

static int add_one(void *context, const uint8_t *current, size_t current_len,
                   const uint8_t **updated, size_t *updated_len) {
    window_increment *increment = context;
    uint64_t count = current != NULL ? parse_count(current, current_len) : 0;
    *updated_len = format_count(count + 1, increment->text);
    *updated = increment->text;
    return 0;
}

/* ---- batches ---- */

static void fail(key_counter *self, sluice_batch *batch, size_t i, const char *reason) {
    batch->results[i] = SLUICE_RESULT_RETRY;
    self->api->set_error(self->host, batch->id, i, reason, strlen(reason));
}

static int key_counter_on_batch(void *instance, sluice_batch *batch) {
    key_counter *self = instance;
    const sluice_host_api *api = self->api;
    for (size_t i = 0; i < batch->count; i++) {
        const sluice_message *m = &batch->messages[i];
        if (m->key == NULL || m->key_len > SLUICE_WINDOW_MAX_KEY) {
            batch->results[i] = SLUICE_RESULT_SKIP;
            continue;
        }
        if (m->value == NULL) { /* a tombstone forgets the key's total */
            if (api->state_put(self->host, batch->id, counts_table, sizeof counts_table - 1,
                               m->key, m->key_len, NULL, 0) != SLUICE_STATUS_OK) {
                fail(self, batch, i, "state_put (delete) was refused");
            }
            continue;
        }
        count_read total = {0};
        if (api->state_get(self->host, batch->id, counts_table, sizeof counts_table - 1, m->key, m->key_len,
                           count_sink, &total) == SLUICE_STATE_ERROR) {
            fail(self, batch, i, "state_get was refused");
            continue;
        }
        uint8_t text[20];
        size_t text_len = format_count(total.count + 1, text);
        if (api->state_put(self->host, batch->id, counts_table, sizeof counts_table - 1, m->key, m->key_len,
                           text, text_len) != SLUICE_STATUS_OK) {
            fail(self, batch, i, "state_put was refused");
            continue;
        }
        int64_t start;
        if (sluice_windows_assign(&ten_seconds, m->timestamp_ms, &start, 1) == 0) continue;
        window_increment increment;
        int status = sluice_window_update(api, self->host, batch->id, &ten_seconds, start, m->key, m->key_len,
                                          add_one, &increment);
        /* SLUICE_WINDOW_LATE: the stream clock closed its window; it counts toward the total only. */
        if (status == SLUICE_STATE_ERROR) fail(self, batch, i, "the window count could not be updated");
    }
    return SLUICE_BATCH_DONE;
}

/* ---- closing windows ---- */

/* What the emitter needs: the instance and the timer batch it produces for. */
typedef struct window_output {
    key_counter *self;
    uint64_t batch_id;
} window_output;

/* Appends `key` as a JSON string body (quotes and backslashes escaped, control bytes as \u00XX). */
static size_t json_escape(uint8_t *out, const uint8_t *key, size_t key_len) {
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; i < key_len; i++) {
        uint8_t c = key[i];
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = c;
        } else if (c < 0x20) {
            memcpy(out + n, "\\u00", 4);
            out[n + 4] = (uint8_t)hex[c >> 4];
            out[n + 5] = (uint8_t)hex[c & 15];
            n += 6;
        } else {
            out[n++] = c;
        }
    }
    return n;
}

static int emit_window(void *context, const uint8_t *key, size_t key_len, int64_t window_start, int64_t window_end,
                       const uint8_t *value, size_t value_len) {
    (void)window_end;
    window_output *output = context;
    key_counter *self = output->self;
    /* {"key":"<escaped>","window_start":<20 digits>,"count":<20 digits>} */
    size_t capacity = 6 * key_len + 96;
    uint8_t small[512];
    uint8_t *record = capacity <= sizeof small ? small : malloc(capacity);
    if (record == NULL) return 1;
    size_t n = 0;
    memcpy(record + n, "{\"key\":\"", 8);
    n += 8;
    n += json_escape(record + n, key, key_len);
    memcpy(record + n, "\",\"window_start\":", 17);
    n += 17;
    n += format_count((uint64_t)window_start, record + n);
    memcpy(record + n, ",\"count\":", 9);
    n += 9;
    n += format_count(parse_count(value, value_len), record + n);
    record[n++] = '}';
    int status = self->api->produce(self->host, output->batch_id, self->output, self->output_len, SLUICE_PARTITION_ANY,
                                    key, key_len, record, n, NULL, 0);
    if (record != small) free(record);
    return status != SLUICE_STATUS_OK;
}

static int key_counter_on_timer(void *instance, sluice_timer_batch *timers) {
    key_counter *self = instance;
    window_output output = {self, timers->id};
    return sluice_windows_on_timer(self->api, self->host, timers, &ten_seconds, emit_window, &output);
}

static void key_counter_destroy(void *instance) {
    free(instance);
}

static const char *const key_counter_topics[] = {"events", NULL};
static const char *const key_counter_tables[] = {counts_table, windows_table, NULL};

static const sluice_plugin_descriptor key_counter_descriptor = {
    SLUICE_DESCRIPTOR_FIELDS,
    .name = AGENT_NAME,
    .version = "1.0.0",
    .description = "Counts records per key, in total and per 10-second window",
    .topics = key_counter_topics,
    .capabilities = SLUICE_CAP_PRODUCES,
    .config_schema = "{\"type\":\"object\",\"additionalProperties\":false,"
                     "\"properties\":{\"output\":{\"type\":\"string\",\"minLength\":1}}}",
    .validate_config = key_counter_validate_config,
    .create = key_counter_create,
    .on_batch = key_counter_on_batch,
    .destroy = key_counter_destroy,
    .tables = key_counter_tables,
    .on_timer = key_counter_on_timer,
};

SLUICE_DEFINE_ENTRY(key_counter_descriptor)
