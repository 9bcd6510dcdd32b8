/*
 * stateful_counter.c — a test plugin for stateful agents (ABI 1.2).
 *
 * Counts records per (key, minute window) in table "counts": the entry for
 * key K and the window starting at S (epoch ms) is "K@<S as 16 digits>", its
 * value the count in decimal. A record without a key counts as key "-".
 * Like the recorder, every record finished with OK produces
 * "<partition>:<offset>:<value>" to the output topic (progress for tests).
 *
 * With "close_after_ms" > 0 it also keeps an index entry "\x01<S>/K" per
 * touched window and schedules a wall-clock timer and a stream-time timer
 * ("w<S>") at window end + close_after_ms; whichever fires first produces
 * "K@<S>=<count>" for each key of the window to "windows_output", deletes the
 * window's entries and cancels the other timer. With "clocks": "stream" only
 * the stream-time timer is scheduled.
 *
 * Configuration: output (default "recorded"), windows_output (default
 * "windows"), close_after_ms (default 0: windows never close), window_ms
 * (default 60000), buckets (default 0: count by key; N: count by bucket
 * "b<FNV-1a 32 of the key mod N>", so keys repeat however many records),
 * delay_us (default 0: a pause at the start of every batch, so a test can
 * interrupt batches in flight).
 * Message values: "retry:N..." writes its count, then asks for RETRY until
 * the attempt exceeds N (the host drops the attempt's writes each time).
 *
 * Build: cc -shared -fPIC -I PluginAPI/include stateful_counter.c
 */
#define _DEFAULT_SOURCE /* usleep */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sluice_plugin.h"
#include "fixture_json.h"
#include "fixture_values.h"

#ifndef AGENT_VERSION
#define AGENT_VERSION "1.0.0"
#endif

typedef struct counter {
    const sluice_host_api *api;
    sluice_host *host;
    char output[128];
    char windows_output[128];
    long long close_after_ms;
    long long window_ms;
    long long buckets;
    long long delay_us;
    int stream_only;
} counter;

static uint32_t fnv1a(const uint8_t *bytes, size_t len) {
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < len; i++) { hash ^= bytes[i]; hash *= 16777619u; }
    return hash;
}

static const char table[] = "counts";


typedef struct number_sink { long long value; } number_sink;

static void read_number(void *context, const uint8_t *value, size_t len) {
    char text[32];
    size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
    memcpy(text, value, n);
    text[n] = 0;
    ((number_sink *)context)->value = atoll(text);
}

/* Adds one to the entry `key` of the table; returns the new count, or -1. */
static long long increment(counter *c, uint64_t batch, const char *key, size_t key_len) {
    number_sink sink = { 0 };
    int found = c->api->state_get(c->host, batch, table, sizeof table - 1, (const uint8_t *)key, key_len, read_number, &sink);
    if (found == SLUICE_STATE_ERROR) return -1;
    char text[32];
    int n = snprintf(text, sizeof text, "%lld", sink.value + 1);
    if (c->api->state_put(c->host, batch, table, sizeof table - 1, (const uint8_t *)key, key_len,
                          (const uint8_t *)text, (size_t)n) != SLUICE_STATUS_OK) return -1;
    return sink.value + 1;
}

static int on_batch(void *instance, sluice_batch *b) {
    counter *c = instance;
    if (c->delay_us > 0) usleep((useconds_t)c->delay_us); /* keeps batches in flight long enough to be interrupted */
    for (size_t i = 0; i < b->count; i++) {
        const sluice_message *m = &b->messages[i];
        long long start = m->timestamp_ms - m->timestamp_ms % c->window_ms;
        char key[512];
        size_t key_len = m->key ? (m->key_len < 400 ? m->key_len : 400) : 1;
        memcpy(key, m->key ? (const char *)m->key : "-", key_len);
        if (c->buckets > 0) {
            key_len = (size_t)snprintf(key, sizeof key, "b%lld", (long long)(fnv1a(m->key, m->key ? m->key_len : 0) % (uint32_t)c->buckets));
        }
        int n = snprintf(key + key_len, sizeof key - key_len, "@%016lld", start);
        if (increment(c, b->id, key, key_len + (size_t)n) < 0) {
            static const char reason[] = "state_get or state_put refused";
            c->api->set_error(c->host, b->id, SLUICE_BATCH_INDEX, reason, sizeof reason - 1);
            return SLUICE_BATCH_FATAL;
        }
        if (c->close_after_ms > 0) {
            char index[512];
            int index_len = snprintf(index, sizeof index, "\x01%016lld/%.*s", start, (int)key_len, key);
            c->api->state_put(c->host, b->id, table, sizeof table - 1, (const uint8_t *)index, (size_t)index_len,
                              (const uint8_t *)"", 0);
            char timer[32];
            int timer_len = snprintf(timer, sizeof timer, "w%016lld", start);
            long long due = start + c->window_ms + c->close_after_ms;
            if (!c->stream_only) {
                c->api->timer_schedule(c->host, b->id, SLUICE_CLOCK_WALL, due, (const uint8_t *)timer, (size_t)timer_len);
            }
            c->api->timer_schedule(c->host, b->id, SLUICE_CLOCK_STREAM, due, (const uint8_t *)timer, (size_t)timer_len);
        }
        long retries = fixture_retry_count(m->value, m->value_len);
        if (retries >= 0 && (long)b->attempt <= retries) {
            b->results[i] = SLUICE_RESULT_RETRY;
            continue;
        }
        char line[256];
        int len = snprintf(line, sizeof line, "%d:%lld:", b->partition, (long long)m->offset);
        size_t vlen = m->value ? (m->value_len < 64 ? m->value_len : 64) : 0;
        if (vlen) { memcpy(line + len, m->value, vlen); len += (int)vlen; }
        c->api->produce(c->host, b->id, c->output, strlen(c->output), b->partition, m->key, m->key_len,
                        (const uint8_t *)line, (size_t)len, NULL, 0);
    }
    return SLUICE_BATCH_DONE;
}

typedef struct window_close { counter *c; uint64_t batch; char keys[64][512]; size_t lengths[64]; size_t count; } window_close;

static int collect(void *context, const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len) {
    (void)value; (void)value_len;
    window_close *w = context;
    if (w->count == 64 || key_len >= 512) return 1;
    memcpy(w->keys[w->count], key, key_len);
    w->lengths[w->count++] = key_len;
    return 0;
}

static int on_timer(void *instance, sluice_timer_batch *timers) {
    counter *c = instance;
    for (size_t t = 0; t < timers->count; t++) {
        const sluice_timer *timer = &timers->timers[t];
        if (timer->key_len != 17 || timer->key[0] != 'w') continue;
        /* The other clock's timer for this window is no longer needed. */
        int other = timer->clock == SLUICE_CLOCK_WALL ? SLUICE_CLOCK_STREAM : SLUICE_CLOCK_WALL;
        c->api->timer_cancel(c->host, timers->id, other, timer->key, timer->key_len);
        char start[24], end[24];
        int start_len = snprintf(start, sizeof start, "\x01%.16s/", (const char *)timer->key + 1);
        int end_len = snprintf(end, sizeof end, "\x01%.16s0", (const char *)timer->key + 1); /* '0' follows '/' */
        window_close *w = calloc(1, sizeof *w);
        for (;;) {
            w->count = 0;
            if (c->api->state_range(c->host, timers->id, table, sizeof table - 1, (const uint8_t *)start, (size_t)start_len,
                                    (const uint8_t *)end, (size_t)end_len, 64, collect, w) < 0) { free(w); return SLUICE_BATCH_FATAL; }
            if (w->count == 0) break;
            for (size_t i = 0; i < w->count; i++) {
                /* index "\x01<S>/K" -> entry "K@<S>" */
                const char *k = w->keys[i] + 18;
                size_t k_len = w->lengths[i] - 18;
                char entry[512];
                int entry_len = snprintf(entry, sizeof entry, "%.*s@%.16s", (int)k_len, k, (const char *)timer->key + 1);
                number_sink sink = { 0 };
                c->api->state_get(c->host, timers->id, table, sizeof table - 1, (const uint8_t *)entry, (size_t)entry_len, read_number, &sink);
                char line[600];
                int len = snprintf(line, sizeof line, "%.*s=%lld", entry_len, entry, sink.value);
                c->api->produce(c->host, timers->id, c->windows_output, strlen(c->windows_output), timers->partition,
                                NULL, 0, (const uint8_t *)line, (size_t)len, NULL, 0);
                c->api->state_put(c->host, timers->id, table, sizeof table - 1, (const uint8_t *)entry, (size_t)entry_len, NULL, 0);
                c->api->state_put(c->host, timers->id, table, sizeof table - 1, (const uint8_t *)w->keys[i], w->lengths[i], NULL, 0);
            }
        }
        free(w);
    }
    return SLUICE_BATCH_DONE;
}

static int create(const sluice_host_api *api, sluice_host *host, const char *config, size_t len,
                  void **instance, char *error, size_t cap) {
    if (api->struct_size < offsetof(sluice_host_api, stream_time) + sizeof api->stream_time || api->state_get == NULL) {
        snprintf(error, cap, "stateful-counter keeps tables, which need a host with ABI 1.2 state support (this host is %u.%u)",
                 api->abi_major, api->abi_minor);
        return SLUICE_STATUS_ERROR;
    }
    counter *c = calloc(1, sizeof *c);
    c->api = api;
    c->host = host;
    if (!json_string(config, len, "output", c->output, sizeof c->output)) strcpy(c->output, "recorded");
    if (!json_string(config, len, "windows_output", c->windows_output, sizeof c->windows_output)) strcpy(c->windows_output, "windows");
    c->close_after_ms = json_number(config, len, "close_after_ms", 0);
    c->window_ms = json_number(config, len, "window_ms", 60000);
    if (c->window_ms <= 0) c->window_ms = 60000;
    c->buckets = json_number(config, len, "buckets", 0);
    c->delay_us = json_number(config, len, "delay_us", 0);
    char clocks[16] = "both";
    json_string(config, len, "clocks", clocks, sizeof clocks);
    c->stream_only = strcmp(clocks, "stream") == 0;
    *instance = c;
    return SLUICE_STATUS_OK;
}

static void destroy(void *instance) { free(instance); }

static const char *const topics[] = { "input", NULL };
static const char *const tables[] = { "counts", NULL };

static const sluice_plugin_descriptor descriptor = {
    .magic = SLUICE_PLUGIN_MAGIC,
    .struct_size = sizeof(sluice_plugin_descriptor),
    .abi_major = SLUICE_ABI_MAJOR,
    .abi_minor = SLUICE_ABI_MINOR,
    .pointer_size = sizeof(void *),
    .name = "stateful-counter",
    .version = AGENT_VERSION,
    .description = "counts records per key and minute in a table (test plugin)",
    .topics = topics,
    .capabilities = SLUICE_CAP_PRODUCES,
    .create = create,
    .on_batch = on_batch,
    .destroy = destroy,
    .tables = tables,
    .on_timer = on_timer,
};

const sluice_plugin_descriptor *sluice_plugin_entry_v1(uint16_t host_major, uint16_t host_minor) {
    (void)host_minor;
    return host_major == SLUICE_ABI_MAJOR ? &descriptor : NULL;
}
