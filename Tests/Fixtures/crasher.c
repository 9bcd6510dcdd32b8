/*
 * crasher.c — a test plugin that crashes the host on particular records, for
 * the crash quarantine's tests (Tests/ReliabilityTests/CrashQuarantineTests).
 *
 * Message values:
 *   "boom"   writes through a NULL pointer (volatile): the process dies of SIGSEGV
 *   "abort"  calls abort(): the process dies of SIGABRT
 *   "leak"   allocates 96 MiB, touches every page and never frees it: a
 *            runner with a memory_limit is killed for it
 *   "hang"   never returns from on_batch: a runner is killed for it after batch_timeout
 *   other    OK; produces "<partition>:<offset>:<value>" to the configured
 *            output topic (config "output", default "crashed-output") on the
 *            same partition number, so a test can count what was handled
 *
 * Build: cc -shared -fPIC -I PluginAPI/include crasher.c -o crasher.so
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sluice_plugin.h"
#include "sluice_plugin_helpers.h"

typedef struct crasher {
    const sluice_host_api *api;
    sluice_host *host;
    char output[128];
} crasher;

static int is(const sluice_message *m, const char *text) {
    size_t n = strlen(text);
    return m->value && m->value_len == n && memcmp(m->value, text, n) == 0;
}

static int cr_create(const sluice_host_api *api, sluice_host *host, const char *config, size_t len,
                     void **instance, char *error, size_t cap) {
    crasher *c = calloc(1, sizeof *c);
    if (!c) { snprintf(error, cap, "out of memory"); return SLUICE_STATUS_ERROR; }
    c->api = api;
    c->host = host;
    strcpy(c->output, "crashed-output");
    /* "output":"NAME" in the compact JSON the host sends */
    const char *key = "\"output\":\"";
    const char *at = strstr(config, key);
    if (at && at < config + len) {
        at += strlen(key);
        size_t n = 0;
        while (at < config + len && *at != '"' && n + 1 < sizeof c->output) c->output[n++] = *at++;
        c->output[n] = 0;
    }
    *instance = c;
    return SLUICE_STATUS_OK;
}

static int cr_on_batch(void *instance, sluice_batch *b) {
    crasher *c = instance;
    for (size_t i = 0; i < b->count; i++) {
        const sluice_message *m = &b->messages[i];
        if (is(m, "boom")) {
            *(volatile int *)0 = 0; /* SIGSEGV */
        } else if (is(m, "abort")) {
            abort(); /* SIGABRT */
        } else if (is(m, "leak")) {
            size_t size = (size_t)96 << 20;
            char *leaked = malloc(size);
            if (leaked) memset(leaked, 1, size); /* resident, and never freed */
        } else if (is(m, "hang")) {
            for (;;) pause();
        }
        char line[256];
        int n = snprintf(line, sizeof line, "%d:%lld:", b->partition, (long long)m->offset);
        size_t vlen = m->value_len < 64 ? m->value_len : 64;
        if (m->value) { memcpy(line + n, m->value, vlen); n += (int)vlen; }
        c->api->produce(c->host, b->id, c->output, strlen(c->output), b->partition,
                        m->key, m->key_len, (const uint8_t *)line, (size_t)n, NULL, 0);
    }
    return SLUICE_BATCH_DONE;
}

static void cr_destroy(void *instance) { free(instance); }

static const char *const topics[] = { "input", NULL };

static const sluice_plugin_descriptor descriptor = {
    SLUICE_DESCRIPTOR_FIELDS,
    .name = "crasher",
    .version = "1.0.0",
    .description = "crashes the host on records boom (SIGSEGV) and abort (SIGABRT), leaks on leak (test plugin)",
    .topics = topics,
    .capabilities = SLUICE_CAP_PRODUCES,
    .create = cr_create,
    .on_batch = cr_on_batch,
    .destroy = cr_destroy,
};

SLUICE_DEFINE_ENTRY(descriptor)
