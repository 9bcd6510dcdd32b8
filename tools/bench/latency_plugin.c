/*
 * latency_plugin.c — the S2 agent: finishes every record with OK and records
 * its produce→plugin latency (latency_histogram.h). When the instance is
 * destroyed (the host stops), it writes the percentiles to the file named by
 * the environment variable SLUICE_BENCH_LATENCY_FILE.
 *
 * Build: cc -O2 -shared -fPIC -I PluginAPI/include tools/bench/latency_plugin.c -o latency.so -DAGENT_TOPIC='"t"'
 */
#include <pthread.h>
#include <stdlib.h>

#include "latency_histogram.h"
#include "sluice_plugin.h"

#ifndef AGENT_TOPIC
#define AGENT_TOPIC "bench"
#endif

static latency_histogram histogram;
static pthread_mutex_t histogram_lock = PTHREAD_MUTEX_INITIALIZER; /* partitions run concurrently */
static int latency_instance;

static int latency_create(const sluice_host_api *api, sluice_host *host, const char *config_json, size_t config_len,
                          void **instance, char *error, size_t error_cap) {
    (void)api; (void)host; (void)config_json; (void)config_len; (void)error; (void)error_cap;
    *instance = &latency_instance;
    return SLUICE_STATUS_OK;
}

static int latency_on_batch(void *instance, sluice_batch *batch) {
    (void)instance;
    int64_t now = latency_now_us();
    pthread_mutex_lock(&histogram_lock);
    for (size_t i = 0; i < batch->count; i++) {
        const sluice_message *m = &batch->messages[i];
        if (m->value != NULL) latency_record(&histogram, m->value, m->value_len, now);
        batch->results[i] = SLUICE_RESULT_OK;
    }
    pthread_mutex_unlock(&histogram_lock);
    return SLUICE_BATCH_DONE;
}

static void latency_destroy(void *instance) {
    (void)instance;
    const char *path = getenv("SLUICE_BENCH_LATENCY_FILE");
    FILE *out = path ? fopen(path, "w") : NULL;
    if (out == NULL) return;
    pthread_mutex_lock(&histogram_lock);
    latency_print(&histogram, out);
    pthread_mutex_unlock(&histogram_lock);
    fclose(out);
}

static const char *const latency_topics[] = {AGENT_TOPIC, NULL};

static const sluice_plugin_descriptor latency_descriptor = {
    .magic = SLUICE_PLUGIN_MAGIC,
    .struct_size = sizeof(sluice_plugin_descriptor),
    .abi_major = SLUICE_ABI_MAJOR,
    .abi_minor = SLUICE_ABI_MINOR,
    .pointer_size = sizeof(void *),
    .reserved = 0,
    .name = "latency",
    .version = "1.0.0",
    .description = "Benchmark agent: records produce-to-plugin latency",
    .topics = latency_topics,
    .capabilities = SLUICE_CAP_STATELESS,
    .config_schema = NULL,
    .validate_config = NULL,
    .create = latency_create,
    .open = NULL,
    .on_batch = latency_on_batch,
    .flush = NULL,
    .close = NULL,
    .destroy = latency_destroy,
};

__attribute__((visibility("default")))
const sluice_plugin_descriptor *sluice_plugin_entry_v1(uint16_t host_major, uint16_t host_minor) {
    (void)host_minor;
    return host_major == SLUICE_ABI_MAJOR ? &latency_descriptor : NULL;
}
