/*
 * uppercase.c — the smallest useful Sluice plugin, in plain C99.
 *
 * Reads the `words` topic and produces each value upper-cased (ASCII only)
 * with the same key to the topic named by the configuration key "output"
 * (default "words.upper"). A null value (tombstone) is skipped.
 *
 * Build:  cc -std=c99 -shared -fPIC -I ../../../PluginAPI/include uppercase.c -o uppercase.so
 *
 * Thread safety: batches of different partitions may run concurrently, so the
 * instance is read-only after create() and each call uses only its own stack
 * and heap buffers.
 */
#include <stdlib.h>
#include <string.h>

#include "sluice_plugin_helpers.h"

#define OUTPUT_MAX 249 /* Kafka's topic name limit */

typedef struct uppercase_instance {
    const sluice_host_api *api;
    sluice_host *host;
    char output[OUTPUT_MAX + 1];
    size_t output_len;
} uppercase_instance;

static size_t skip_space(const char *s, size_t i, size_t n) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

/*
 * Minimal configuration reader: the text must be a JSON object; if it has a
 * top-level "output" key with a string value (no escapes), that value is the
 * output topic. Other keys are skipped without being interpreted: a scan that
 * tracks strings and nesting depth finds the top-level keys.
 * Returns NULL on success, else a reason.
 */
static const char *parse_config(const char *json, size_t len, char *output, size_t *output_len) {
    static const char default_output[] = "words.upper";
    memcpy(output, default_output, sizeof default_output);
    *output_len = sizeof default_output - 1;
    if (json == NULL || len == 0) return NULL;

    size_t i = skip_space(json, 0, len);
    if (i == len || json[i] != '{') return "configuration must be a JSON object";
    int depth = 0;
    int expect_key = 1; /* at depth 1: the next string is a key */
    for (; i < len; i++) {
        char c = json[i];
        if (c == '"') {
            size_t start = ++i;
            while (i < len && json[i] != '"') {
                if (json[i] == '\\') i++;
                i++;
            }
            if (i >= len) return "configuration: unterminated string";
            if (depth == 1 && expect_key) {
                int is_output = (i - start == 6 && memcmp(json + start, "output", 6) == 0);
                size_t j = skip_space(json, i + 1, len);
                if (j == len || json[j] != ':') return "configuration: expected ':' after a key";
                expect_key = 0;
                if (is_output) {
                    j = skip_space(json, j + 1, len);
                    if (j == len || json[j] != '"') return "configuration: 'output' must be a string";
                    size_t vstart = ++j;
                    while (j < len && json[j] != '"' && json[j] != '\\') j++;
                    if (j == len || json[j] != '"') return "configuration: 'output' must be a plain string without escapes";
                    size_t vlen = j - vstart;
                    if (vlen == 0) return "configuration: 'output' must not be empty";
                    if (vlen > OUTPUT_MAX) return "configuration: 'output' is longer than 249 bytes";
                    memcpy(output, json + vstart, vlen);
                    output[vlen] = '\0';
                    *output_len = vlen;
                    i = j;
                } else {
                    i = j; /* at ':'; the value is scanned by the loop */
                }
            }
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth == 0) {
                i = skip_space(json, i + 1, len);
                return i == len ? NULL : "configuration: trailing characters after the object";
            }
        } else if (c == ',' && depth == 1) {
            expect_key = 1;
        }
    }
    return "configuration: unterminated object";
}

static int uppercase_validate_config(const char *config_json, size_t config_len, char *error, size_t error_cap) {
    char output[OUTPUT_MAX + 1];
    size_t output_len;
    const char *reason = parse_config(config_json, config_len, output, &output_len);
    if (reason != NULL) {
        sluice_write_error(error, error_cap, reason);
        return SLUICE_STATUS_ERROR;
    }
    return SLUICE_STATUS_OK;
}

static int uppercase_create(const sluice_host_api *api, sluice_host *host, const char *config_json,
                            size_t config_len, void **instance, char *error, size_t error_cap) {
    if (!SLUICE_HOST_HAS(api, produce)) {
        sluice_write_error(error, error_cap, "the host table lacks produce()");
        return SLUICE_STATUS_ERROR;
    }
    uppercase_instance *self = calloc(1, sizeof *self);
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

static int uppercase_on_batch(void *instance, sluice_batch *batch) {
    const uppercase_instance *self = instance;
    uint8_t small[512];
    for (size_t i = 0; i < batch->count; i++) {
        const sluice_message *m = &batch->messages[i];
        if (m->value == NULL) {
            batch->results[i] = SLUICE_RESULT_SKIP;
            continue;
        }
        /* The host copies the value during produce(), so a stack buffer is enough for small values. */
        uint8_t *upper = m->value_len <= sizeof small ? small : malloc(m->value_len);
        if (upper == NULL) {
            static const char reason[] = "out of memory";
            batch->results[i] = SLUICE_RESULT_RETRY;
            self->api->set_error(self->host, batch->id, i, reason, sizeof reason - 1);
            continue;
        }
        for (size_t k = 0; k < m->value_len; k++) {
            uint8_t c = m->value[k];
            upper[k] = (c >= 'a' && c <= 'z') ? (uint8_t)(c - 'a' + 'A') : c;
        }
        int status = self->api->produce(self->host, batch->id, self->output, self->output_len, SLUICE_PARTITION_ANY,
                                        m->key, m->key_len, upper, m->value_len, NULL, 0);
        if (upper != small) free(upper);
        if (status != SLUICE_STATUS_OK) {
            static const char reason[] = "produce was refused";
            batch->results[i] = SLUICE_RESULT_RETRY;
            self->api->set_error(self->host, batch->id, i, reason, sizeof reason - 1);
        }
    }
    return SLUICE_BATCH_DONE;
}

static void uppercase_destroy(void *instance) {
    free(instance);
}

static const char *const uppercase_topics[] = {"words", NULL};

static const sluice_plugin_descriptor uppercase_descriptor = {
    SLUICE_DESCRIPTOR_FIELDS,
    .name = "uppercase",
    .version = "1.0.0",
    .description = "Upper-cases every value of the words topic",
    .topics = uppercase_topics,
    .capabilities = SLUICE_CAP_PRODUCES | SLUICE_CAP_STATELESS,
    .config_schema = "{\"type\":\"object\",\"properties\":{\"output\":{\"type\":\"string\",\"minLength\":1}}}",
    .validate_config = uppercase_validate_config,
    .create = uppercase_create,
    .open = NULL,
    .on_batch = uppercase_on_batch,
    .flush = NULL,
    .close = NULL,
    .destroy = uppercase_destroy,
};

/* Declines a host of another ABI major; every 1.x host reads the members it knows. */
SLUICE_DEFINE_ENTRY(uppercase_descriptor)
