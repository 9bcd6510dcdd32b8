/*
 * copy.c — the producing benchmark agent: produces every record's key and
 * value, unchanged, to an output topic (partition chosen by the host), tied
 * to its batch, and finishes it with OK. The anchor of S11's producing
 * variant: what a typed Swift agent producing an `Encodable` per record
 * costs beyond it is the SDK's (decoding, encoding, the typed path).
 *
 * Build: cc -O2 -shared -fPIC -I PluginAPI/include tools/bench/copy.c -o copy.so
 *        [-DAGENT_NAME='"copy"'] [-DAGENT_TOPIC='"bench"'] [-DOUTPUT_TOPIC='"bench-out"']
 */
#include <stddef.h>
#include <stdlib.h>

#include "sluice_plugin_helpers.h"

#ifndef AGENT_NAME
#define AGENT_NAME "copy"
#endif
#ifndef AGENT_TOPIC
#define AGENT_TOPIC "bench"
#endif
#ifndef OUTPUT_TOPIC
#define OUTPUT_TOPIC "bench-out"
#endif

typedef struct copy_agent {
    const sluice_host_api *api;
    sluice_host *host;
} copy_agent;

static int copy_create(const sluice_host_api *api, sluice_host *host, const char *config_json, size_t config_len,
                       void **instance, char *error, size_t error_cap) {
    (void)config_json; (void)config_len; (void)error; (void)error_cap;
    copy_agent *agent = malloc(sizeof *agent);
    if (agent == NULL) return SLUICE_STATUS_ERROR;
    agent->api = api;
    agent->host = host;
    *instance = agent;
    return SLUICE_STATUS_OK;
}

static int copy_on_batch(void *instance, sluice_batch *batch) {
    copy_agent *agent = instance;
    static const char output[] = OUTPUT_TOPIC;
    for (size_t i = 0; i < batch->count; i++) {
        const sluice_message *m = &batch->messages[i];
        int status = agent->api->produce(agent->host, batch->id, output, sizeof output - 1, SLUICE_PARTITION_ANY,
                                         m->key, m->key_len, m->value, m->value_len, NULL, 0);
        batch->results[i] = status == SLUICE_STATUS_OK ? SLUICE_RESULT_OK : SLUICE_RESULT_RETRY;
    }
    return SLUICE_BATCH_DONE;
}

static void copy_destroy(void *instance) { free(instance); }

static const char *const copy_topics[] = {AGENT_TOPIC, NULL};

static const sluice_plugin_descriptor copy_descriptor = {
    SLUICE_DESCRIPTOR_FIELDS,
    .name = AGENT_NAME,
    .version = "1.0.0",
    .description = "Benchmark agent: produces every record unchanged to an output topic",
    .topics = copy_topics,
    .capabilities = SLUICE_CAP_STATELESS | SLUICE_CAP_PRODUCES,
    .config_schema = NULL,
    .validate_config = NULL,
    .create = copy_create,
    .open = NULL,
    .on_batch = copy_on_batch,
    .flush = NULL,
    .close = NULL,
    .destroy = copy_destroy,
};

SLUICE_DEFINE_ENTRY(copy_descriptor)
