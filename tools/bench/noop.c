/*
 * noop.c — the benchmark agent: finishes every record with OK and does nothing
 * else, so a run measures the host (transport, dispatch, offset ledger), not
 * the plugin. Used by S0 (Benchmarks/, memory://) and S1/S6 (tools/bench, Kafka).
 *
 * Built with -DMEASURE_LATENCY (S2), it also records each record's
 * produce→plugin latency (latency_histogram.h) and, when the instance is
 * destroyed (the host stops), writes the percentiles to the file named by the
 * environment variable SLUICE_BENCH_LATENCY_FILE.
 *
 * Build: cc -O2 -shared -fPIC -I PluginAPI/include tools/bench/noop.c -o noop.so
 *        [-DAGENT_NAME='"noop"'] [-DAGENT_TOPIC='"bench"'] [-DAGENT_VERSION='"1.0.0"'] [-DMEASURE_LATENCY]
 */
#include <stddef.h>

#include "sluice_plugin_helpers.h"

#ifndef AGENT_NAME
#define AGENT_NAME "noop"
#endif
#ifndef AGENT_TOPIC
#define AGENT_TOPIC "bench"
#endif
#ifndef AGENT_VERSION
#define AGENT_VERSION "1.0.0"
#endif

#ifdef MEASURE_LATENCY
#include <pthread.h>
#include <stdlib.h>

#include "latency_histogram.h"

static latency_histogram histogram;
static pthread_mutex_t histogram_lock = PTHREAD_MUTEX_INITIALIZER; /* partitions run concurrently */
#endif

static int noop_instance; /* create() must hand out a non-NULL instance */

static int noop_create(const sluice_host_api *api, sluice_host *host, const char *config_json, size_t config_len,
                       void **instance, char *error, size_t error_cap) {
    (void)api; (void)host; (void)config_json; (void)config_len; (void)error; (void)error_cap;
    *instance = &noop_instance;
    return SLUICE_STATUS_OK;
}

static int noop_on_batch(void *instance, sluice_batch *batch) {
    (void)instance;
#ifdef MEASURE_LATENCY
    int64_t now = latency_now_us();
    pthread_mutex_lock(&histogram_lock);
    for (size_t i = 0; i < batch->count; i++) {
        const sluice_message *m = &batch->messages[i];
        if (m->value != NULL) latency_record(&histogram, m->value, m->value_len, now);
    }
    pthread_mutex_unlock(&histogram_lock);
#endif
    for (size_t i = 0; i < batch->count; i++) batch->results[i] = SLUICE_RESULT_OK;
    return SLUICE_BATCH_DONE;
}

static void noop_destroy(void *instance) {
    (void)instance;
#ifdef MEASURE_LATENCY
    const char *path = getenv("SLUICE_BENCH_LATENCY_FILE");
    FILE *out = path ? fopen(path, "w") : NULL;
    if (out == NULL) return;
    pthread_mutex_lock(&histogram_lock);
    latency_print(&histogram, out);
    pthread_mutex_unlock(&histogram_lock);
    fclose(out);
#endif
}

static const char *const noop_topics[] = {AGENT_TOPIC, NULL};

static const sluice_plugin_descriptor noop_descriptor = {
    SLUICE_DESCRIPTOR_FIELDS,
    .name = AGENT_NAME,
    .version = AGENT_VERSION,
    .description = "Benchmark agent: every record OK, nothing else",
    .topics = noop_topics,
    .capabilities = SLUICE_CAP_STATELESS,
    .config_schema = NULL,
    .validate_config = NULL,
    .create = noop_create,
    .open = NULL,
    .on_batch = noop_on_batch,
    .flush = NULL,
    .close = NULL,
    .destroy = noop_destroy,
};

SLUICE_DEFINE_ENTRY(noop_descriptor)
