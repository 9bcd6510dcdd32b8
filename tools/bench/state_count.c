/*
 * state_count.c — the S8/S9 benchmark agent: per record one state_get and one
 * state_put in table "counts" (a count per key), nothing else.
 *
 * Keys: with -DBUCKETS=N the record's offset modulo N (keys repeat, as in a
 * windowed count: few changelog records per seal); without it the partition
 * and offset (every key distinct: the changelog holds one record per input
 * record, which S9 restores).
 *
 * Build: cc -O2 -shared -fPIC -I PluginAPI/include [-DBUCKETS=1000] state_count.c
 */
#include <stdio.h>
#include <string.h>

#include "sluice_plugin_helpers.h"

#ifndef AGENT_NAME
#define AGENT_NAME "state-count"
#endif
#ifndef AGENT_TOPIC
#define AGENT_TOPIC "bench"
#endif

typedef struct counter { const sluice_host_api *api; sluice_host *host; } counter;
static const char table[] = "counts";

static void read_count(void *context, const uint8_t *value, size_t len) {
    long long *count = context;
    char text[24];
    size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
    memcpy(text, value, n);
    text[n] = 0;
    sscanf(text, "%lld", count);
}

static int count_create(const sluice_host_api *api, sluice_host *host, const char *config_json, size_t config_len,
                        void **instance, char *error, size_t error_cap) {
    (void)config_json; (void)config_len;
    if (!SLUICE_HOST_HAS_STATE(api)) return sluice_host_state_missing(api, AGENT_NAME, error, error_cap);
    static counter the_counter;
    the_counter.api = api;
    the_counter.host = host;
    *instance = &the_counter;
    return SLUICE_STATUS_OK;
}

static int count_on_batch(void *instance, sluice_batch *batch) {
    counter *c = instance;
    for (size_t i = 0; i < batch->count; i++) {
        char key[32];
#ifdef BUCKETS
        int key_len = snprintf(key, sizeof key, "b%lld", (long long)(batch->messages[i].offset % BUCKETS));
#else
        int key_len = snprintf(key, sizeof key, "%d/%lld", batch->partition, (long long)batch->messages[i].offset);
#endif
        long long count = 0;
        if (c->api->state_get(c->host, batch->id, table, sizeof table - 1, (const uint8_t *)key, (size_t)key_len,
                              read_count, &count) == SLUICE_STATE_ERROR) return SLUICE_BATCH_FATAL;
        char value[24];
        int value_len = snprintf(value, sizeof value, "%lld", count + 1);
        if (c->api->state_put(c->host, batch->id, table, sizeof table - 1, (const uint8_t *)key, (size_t)key_len,
                              (const uint8_t *)value, (size_t)value_len) != SLUICE_STATUS_OK) return SLUICE_BATCH_FATAL;
    }
    return SLUICE_BATCH_DONE;
}

static void count_destroy(void *instance) { (void)instance; }

static const char *const count_topics[] = {AGENT_TOPIC, NULL};
static const char *const count_tables[] = {"counts", NULL};

static const sluice_plugin_descriptor count_descriptor = {
    SLUICE_DESCRIPTOR_FIELDS,
    .name = AGENT_NAME,
    .version = "1.0.0",
    .description = "Benchmark agent: a state_get and a state_put per record",
    .topics = count_topics,
    .create = count_create,
    .on_batch = count_on_batch,
    .destroy = count_destroy,
    .tables = count_tables,
};

SLUICE_DEFINE_ENTRY(count_descriptor)
