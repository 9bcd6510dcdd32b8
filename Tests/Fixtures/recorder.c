/*
 * recorder.c — a test plugin for the host's end-to-end tests.
 *
 * For every message it finishes with OK it produces "<partition>:<offset>:<value>"
 * to the configured output topic, on the same partition number, with a header
 * "recorder.version" = AGENT_VERSION, so a test can read the output topic and
 * check that every input offset was handled once, in order per partition, and
 * by which version of the plugin (hot reload).
 *
 * Configuration (compact JSON, as the host sends it):
 *   output   topic for the records above (default "recorded")
 *   mode     "sync" (default) or "pending": pending hands each batch to a new
 *            thread that finishes it and calls complete()
 *   complete "later" (default) or "early": in pending mode, early waits for
 *            that thread before returning PENDING, so every complete() arrives
 *            while on_batch is still running (allowed by the ABI)
 *   delay_us a pause at the start of every batch, in microseconds (default 0),
 *            so a run lasts long enough for a test to act while records flow
 *   late_produce  1: in sync mode, each batch first produces "late:<id>" for the
 *            partition's previous batch, which has settled by then (a
 *            partition runs one call at a time), so the host must refuse it
 *            (default 0; partitions 0 to 63)
 *   batch_produce 1: a batch's records are gathered and handed to the host in
 *            one produce_batch call (ABI 1.3) once the batch is handled
 *            (default 0: one produce call per record)
 * Message values steer the result:
 *   "retry:N..."  RETRY until the batch attempt exceeds N, then OK
 *   "poison..."   always RETRY (so retries run out)
 *   "dlq..."      DLQ with reason "dlq requested by the record"
 *   "fatal:TEXT"  the batch returns FATAL with TEXT as the reason (any bytes:
 *                 tests of how errors are shown)
 *   "fatal..."    the batch returns FATAL
 *   "hang..."     never finishes: sync mode blocks in on_batch forever, pending
 *                 mode never calls complete() for the batch
 *   "stall..."    the batch pauses 3 s before it is handled (sync mode): a call
 *                 that blocks for a while, then finishes with OK
 *   "segv..."     writes through a NULL pointer: the process dies with SIGSEGV.
 *                 Built with -DSEGV_FIXED (the "fixed release"), it is DLQ'd
 *                 with reason "segv record refused" instead
 *
 * Build: cc -shared -fPIC -pthread -I PluginAPI/include -DAGENT_NAME='"name"' recorder.c
 * (or -I Tests/Fixtures/abi-v1.0: a plugin built against the frozen 1.0 header)
 */
#define _POSIX_C_SOURCE 200809L /* sleep() under -std=c99 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "sluice_plugin.h"
#include "fixture_json.h"
#include "fixture_values.h"

#if SLUICE_ABI_MINOR >= 2
#include "sluice_plugin_helpers.h"
#else
/* Built against the frozen 1.0 header (the tracing tests), which has no helper
 * header: the two macros this file uses, spelled out. */
#define SLUICE_DESCRIPTOR_FIELDS                                                              \
    .magic = SLUICE_PLUGIN_MAGIC, .struct_size = sizeof(sluice_plugin_descriptor),            \
    .abi_major = SLUICE_ABI_MAJOR, .abi_minor = SLUICE_ABI_MINOR, .pointer_size = sizeof(void *), .reserved = 0
#define SLUICE_DEFINE_ENTRY(descriptor_name)                                                  \
    const sluice_plugin_descriptor *sluice_plugin_entry_v1(uint16_t host_major, uint16_t host_minor); \
    const sluice_plugin_descriptor *sluice_plugin_entry_v1(uint16_t host_major, uint16_t host_minor) { \
        (void)host_minor;                                                                     \
        return host_major == SLUICE_ABI_MAJOR ? &(descriptor_name) : NULL;                    \
    }
#endif

#ifndef AGENT_NAME
#define AGENT_NAME "recorder"
#endif
#ifndef AGENT_VERSION
#define AGENT_VERSION "1.0.0"
#endif

typedef struct recorder {
    const sluice_host_api *api;
    sluice_host *host;
    char output[128];
    int pending;
    int early; /* pending mode whose complete() always comes before on_batch returns */
    int opened;
    long long delay_us;
    int late_produce;
    uint64_t previous_batch[64]; /* late_produce: each partition's last batch id */
    int batch_produce;
} recorder;

/* batch_produce: one batch's records, handed over together at its end
 * (only when built against ABI 1.3 or later; an older header has no
 * produce_batch, and such a build refuses the option). */
#if SLUICE_ABI_MINOR >= 3
typedef sluice_produce_record gathered_record;
#else
typedef struct { int unused; } gathered_record;
#endif
typedef struct gathered {
    gathered_record *records;
    char (*lines)[256];
    size_t count;
} gathered;


static int starts_with(const sluice_message *m, const char *prefix) {
    size_t n = strlen(prefix);
    return m->value && m->value_len >= n && memcmp(m->value, prefix, n) == 0;
}

static void record_ok(recorder *r, sluice_batch *b, size_t i, gathered *g) {
    const sluice_message *m = &b->messages[i];
    char own_line[256];
    char *line = g ? g->lines[g->count] : own_line;
    int n = snprintf(line, sizeof own_line, "%d:%lld:", b->partition, (long long)m->offset);
    size_t vlen = m->value_len < 64 ? m->value_len : 64;
    if (m->value) { memcpy(line + n, m->value, vlen); n += (int)vlen; }
    static const char version_name[] = "recorder.version";
    static const char version_value[] = AGENT_VERSION;
    static const sluice_header version = { version_name, sizeof version_name - 1,
                                           (const uint8_t *)version_value, sizeof version_value - 1 };
#if SLUICE_ABI_MINOR >= 3
    if (g) {
        g->records[g->count++] = (sluice_produce_record){ b->partition, m->key, m->key_len,
                                                          (const uint8_t *)line, (size_t)n, &version, 1 };
        return;
    }
#endif
    r->api->produce(r->host, b->id, r->output, strlen(r->output), b->partition,
                    m->key, m->key_len, (const uint8_t *)line, (size_t)n, &version, 1);
}

static int contains_hang(const sluice_batch *b) {
    for (size_t i = 0; i < b->count; i++) {
        if (starts_with(&b->messages[i], "hang")) return 1;
    }
    return 0;
}

/* late_produce: a record for the partition's previous batch, long settled. */
static void produce_late(recorder *r, sluice_batch *b) {
    if (b->partition < 0 || b->partition >= 64) return;
    uint64_t previous = r->previous_batch[b->partition];
    r->previous_batch[b->partition] = b->id;
    if (previous == 0) return;
    char late[64];
    int n = snprintf(late, sizeof late, "late:%llu", (unsigned long long)previous);
    r->api->produce(r->host, previous, r->output, strlen(r->output), b->partition,
                    NULL, 0, (const uint8_t *)late, (size_t)n, NULL, 0);
}

static int handle_records(recorder *r, sluice_batch *b, gathered *g);

static int handle(recorder *r, sluice_batch *b) {
    if (!r->batch_produce) return handle_records(r, b, NULL);
    gathered g = { calloc(b->count + 1, sizeof *g.records), calloc(b->count + 1, sizeof *g.lines), 0 };
    int status = handle_records(r, b, &g);
#if SLUICE_ABI_MINOR >= 3
    if (status == SLUICE_BATCH_DONE && g.count > 0) {
        r->api->produce_batch(r->host, b->id, r->output, strlen(r->output), g.records, g.count);
    }
#endif
    free(g.records);
    free(g.lines);
    return status;
}

static int handle_records(recorder *r, sluice_batch *b, gathered *g) {
    for (size_t i = 0; i < b->count; i++) {
        if (starts_with(&b->messages[i], "stall")) {
            struct timespec stall = { 3, 0 };
            nanosleep(&stall, NULL);
            break;
        }
    }
    if (r->delay_us > 0) {
        struct timespec pause = { (time_t)(r->delay_us / 1000000), (long)(r->delay_us % 1000000) * 1000 };
        nanosleep(&pause, NULL);
    }
    for (size_t i = 0; i < b->count; i++) {
        const sluice_message *m = &b->messages[i];
        if (starts_with(m, "fatal:")) {
            r->api->set_error(r->host, b->id, SLUICE_BATCH_INDEX, (const char *)m->value + 6, m->value_len - 6);
            return SLUICE_BATCH_FATAL;
        } else if (starts_with(m, "fatal")) {
            static const char reason[] = "fatal requested by the record";
            r->api->set_error(r->host, b->id, SLUICE_BATCH_INDEX, reason, sizeof reason - 1);
            return SLUICE_BATCH_FATAL;
        } else if (starts_with(m, "poison")) {
            static const char reason[] = "poison record";
            r->api->set_error(r->host, b->id, i, reason, sizeof reason - 1);
            b->results[i] = SLUICE_RESULT_RETRY;
        } else if (starts_with(m, "dlq")) {
            static const char reason[] = "dlq requested by the record";
            r->api->set_error(r->host, b->id, i, reason, sizeof reason - 1);
            b->results[i] = SLUICE_RESULT_DLQ;
        } else if (starts_with(m, "segv")) {
#ifdef SEGV_FIXED
            static const char reason[] = "segv record refused";
            r->api->set_error(r->host, b->id, i, reason, sizeof reason - 1);
            b->results[i] = SLUICE_RESULT_DLQ;
#else
            *(volatile int *)0 = 0; /* the bug: an in-process plugin takes the host down */
#endif
        } else if (starts_with(m, "retry:")) {
            if ((long)b->attempt <= fixture_retry_count(m->value, m->value_len)) {
                b->results[i] = SLUICE_RESULT_RETRY;
            } else {
                record_ok(r, b, i, g);
            }
        } else {
            record_ok(r, b, i, g);
        }
    }
    return SLUICE_BATCH_DONE;
}

typedef struct job { recorder *r; sluice_batch *b; } job;

static void *finish_later(void *arg) {
    job *j = arg;
    if (contains_hang(j->b)) { free(j); return NULL; } /* never completes */
    int status = handle(j->r, j->b);
    j->r->api->complete(j->r->host, j->b->id, (sluice_batch_status)status);
    free(j);
    return NULL;
}

static int rec_create(const sluice_host_api *api, sluice_host *host, const char *config, size_t len,
                      void **instance, char *error, size_t cap) {
    recorder *r = calloc(1, sizeof *r);
    if (!r) { snprintf(error, cap, "out of memory"); return SLUICE_STATUS_ERROR; }
    r->api = api;
    r->host = host;
    if (!json_string(config, len, "output", r->output, sizeof r->output)) strcpy(r->output, "recorded");
    char mode[32] = "sync";
    json_string(config, len, "mode", mode, sizeof mode);
    if (strcmp(mode, "sync") != 0 && strcmp(mode, "pending") != 0) {
        snprintf(error, cap, "mode must be \"sync\" or \"pending\", not \"%s\"", mode);
        free(r);
        return SLUICE_STATUS_ERROR;
    }
    r->pending = strcmp(mode, "pending") == 0;
    char complete[32] = "later";
    json_string(config, len, "complete", complete, sizeof complete);
    r->early = r->pending && strcmp(complete, "early") == 0;
    r->delay_us = json_number(config, len, "delay_us", 0);
    r->late_produce = !r->pending && json_number(config, len, "late_produce", 0) != 0;
    r->batch_produce = json_number(config, len, "batch_produce", 0) != 0;
#if SLUICE_ABI_MINOR >= 3
    int can_batch = SLUICE_HOST_HAS_PRODUCE_BATCH(api);
#else
    int can_batch = 0;
#endif
    if (r->batch_produce && !can_batch) {
        snprintf(error, cap, "batch_produce needs ABI 1.3 produce_batch, in the header built against and in the host");
        free(r);
        return SLUICE_STATUS_ERROR;
    }
    *instance = r;
    return SLUICE_STATUS_OK;
}

static int rec_on_batch(void *instance, sluice_batch *b) {
    recorder *r = instance;
    if (!r->pending) {
        if (contains_hang(b)) for (;;) sleep(1); /* a plugin stuck in on_batch */
        if (r->late_produce) produce_late(r, b);
        return handle(r, b);
    }
    job *j = malloc(sizeof *j);
    j->r = r;
    j->b = b;
    pthread_t thread;
    pthread_create(&thread, NULL, finish_later, j);
    if (r->early) {
        pthread_join(thread, NULL); /* complete() has been called: do not touch b any more */
    } else {
        pthread_detach(thread);
    }
    return SLUICE_BATCH_PENDING;
}

static int rec_open(void *instance, const char *topic, int32_t partition, void **state) {
    (void)topic; (void)partition; (void)state;
    __atomic_add_fetch(&((recorder *)instance)->opened, 1, __ATOMIC_SEQ_CST);
    return SLUICE_STATUS_OK;
}

static void rec_destroy(void *instance) { free(instance); }

static const char *const topics[] = { "input", NULL };

static const sluice_plugin_descriptor descriptor = {
    SLUICE_DESCRIPTOR_FIELDS,
    .name = AGENT_NAME,
    .version = AGENT_VERSION,
    .description = "records every finished offset (test plugin)",
    .topics = topics,
    .capabilities = SLUICE_CAP_PENDING | SLUICE_CAP_PRODUCES,
    .create = rec_create,
    .open = rec_open,
    .on_batch = rec_on_batch,
    .destroy = rec_destroy,
};

SLUICE_DEFINE_ENTRY(descriptor)
