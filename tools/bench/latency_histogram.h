/*
 * latency_histogram.h — produce→consume latency for S2, shared by the latency
 * agent (noop.c built with -DMEASURE_LATENCY) and the anchor consumer, so both sides measure the
 * same way: the producer writes its wall-clock time in microseconds as the
 * leading decimal digits of each value; the consumer subtracts it from its own
 * clock when the record reaches it. 10 µs buckets up to 10 s.
 */
#ifndef SLUICE_BENCH_LATENCY_HISTOGRAM_H
#define SLUICE_BENCH_LATENCY_HISTOGRAM_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define LATENCY_BUCKET_US 10
#define LATENCY_BUCKETS 1000000 /* 10 s */

typedef struct latency_histogram {
    uint64_t counts[LATENCY_BUCKETS + 1]; /* the last bucket: 10 s or more */
    uint64_t total;
} latency_histogram;

static inline int64_t latency_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Records the latency of a value whose leading digits are its produce time in µs. */
static inline void latency_record(latency_histogram *h, const uint8_t *value, size_t length, int64_t now_us) {
    int64_t sent = 0;
    size_t i = 0;
    while (i < length && value[i] >= '0' && value[i] <= '9') sent = sent * 10 + (value[i++] - '0');
    if (i == 0) return;
    int64_t bucket = (now_us - sent) / LATENCY_BUCKET_US;
    if (bucket < 0) bucket = 0;
    if (bucket > LATENCY_BUCKETS) bucket = LATENCY_BUCKETS;
    h->counts[bucket]++;
    h->total++;
}

/* The latency (ms) at or below which `fraction` of the records arrived. */
static inline double latency_percentile_ms(const latency_histogram *h, double fraction) {
    uint64_t wanted = (uint64_t)(fraction * (double)h->total + 0.5), seen = 0;
    if (wanted == 0) wanted = 1;
    for (size_t b = 0; b <= LATENCY_BUCKETS; b++) {
        seen += h->counts[b];
        if (seen >= wanted) return (double)((b + 1) * LATENCY_BUCKET_US) / 1000.0;
    }
    return 0;
}

/* "records=N p50_ms=… p99_ms=… max_ms=…" */
static inline void latency_print(const latency_histogram *h, FILE *out) {
    fprintf(out, "records=%llu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", (unsigned long long)h->total,
            latency_percentile_ms(h, 0.5), latency_percentile_ms(h, 0.99), latency_percentile_ms(h, 1.0));
    fflush(out);
}

#endif
