/*
 * noop.c — the benchmark agent: finishes every record with OK and does nothing
 * else, so a run measures the host (transport, dispatch, offset ledger), not
 * the plugin. Used by S0 (Benchmarks/, memory://) and S1/S6 (tools/bench, Kafka).
 *
 * Build: cc -O2 -shared -fPIC -I PluginAPI/include tools/bench/noop.c -o noop.so
 *        [-DAGENT_NAME='"noop"'] [-DAGENT_TOPIC='"bench"'] [-DAGENT_VERSION='"1.0.0"']
 */
#include <stddef.h>

#include "sluice_plugin.h"

#ifndef AGENT_NAME
#define AGENT_NAME "noop"
#endif
#ifndef AGENT_TOPIC
#define AGENT_TOPIC "bench"
#endif
#ifndef AGENT_VERSION
#define AGENT_VERSION "1.0.0"
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
    for (size_t i = 0; i < batch->count; i++) batch->results[i] = SLUICE_RESULT_OK;
    return SLUICE_BATCH_DONE;
}

static void noop_destroy(void *instance) { (void)instance; }

static const char *const noop_topics[] = {AGENT_TOPIC, NULL};

static const sluice_plugin_descriptor noop_descriptor = {
    .magic = SLUICE_PLUGIN_MAGIC,
    .struct_size = sizeof(sluice_plugin_descriptor),
    .abi_major = SLUICE_ABI_MAJOR,
    .abi_minor = SLUICE_ABI_MINOR,
    .pointer_size = sizeof(void *),
    .reserved = 0,
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

__attribute__((visibility("default")))
const sluice_plugin_descriptor *sluice_plugin_entry_v1(uint16_t host_major, uint16_t host_minor) {
    (void)host_minor;
    return host_major == SLUICE_ABI_MAJOR ? &noop_descriptor : NULL;
}
