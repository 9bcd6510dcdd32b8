/*
 * anchor_batch_consumer.c — S1's batch anchor: librdkafka at its limit on
 * this machine. Like anchor_consumer.c, but it takes up to 1,000 records per
 * rd_kafka_consume_batch_queue call from the consumer's queue and stores one
 * offset per partition per batch (the last record's, as the host does once
 * its ledger passes a batch), then commits the stored offsets every second
 * and at the end, with the host's configuration for the local broker.
 *
 *   anchor_batch_consumer BOOTSTRAP TOPIC GROUP RECORDS [latency]
 *
 * Prints one line, measured from the first record to the RECORDS-th:
 *   records=N seconds=S cpu_seconds=C
 * With "latency" (S2), prints "assigned" once it owns partitions, and at the
 * end the produce→consume latency percentiles instead (latency_histogram.h).
 * Exit status 0 once RECORDS records were consumed and committed; 1 on error
 * or when no record arrives for 60 s.
 *
 * Build: cc -O2 anchor_batch_consumer.c -o anchor_batch_consumer $(pkg-config --cflags --libs rdkafka)
 */
#include <stdio.h>
#include <string.h>

#include "anchor_common.h"

static latency_histogram histogram;

int main(int argc, char **argv) {
    if (argc != 5 && !(argc == 6 && strcmp(argv[5], "latency") == 0)) {
        fprintf(stderr, "usage: anchor_batch_consumer BOOTSTRAP TOPIC GROUP RECORDS [latency]\n");
        return 1;
    }
    int measure_latency = argc == 6;
    int assigned = 0;
    const char *topic = argv[2];
    long long wanted = atoll(argv[4]);

    rd_kafka_t *consumer = anchor_subscribe("anchor_batch_consumer", argv[1], topic, argv[3]);

    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(consumer);
    enum { BATCH = 1000, MAX_PARTITIONS = 64 };
    rd_kafka_message_t *batch[BATCH];
    long long count = 0;
    double started = 0, cpu_started = 0, last_record = now_seconds(), last_commit = now_seconds();
    int status = 0;
    while (count < wanted) {
        ssize_t fetched = rd_kafka_consume_batch_queue(queue, 100, batch, BATCH);
        double now = now_seconds();
        if (measure_latency && !assigned) assigned = anchor_report_assigned(consumer);
        if (fetched <= 0) {
            if (now - last_record > 60) {
                fprintf(stderr, "anchor_batch_consumer: no record for 60 s after %lld of %lld\n", count, wanted);
                status = 1;
                break;
            }
            continue;
        }
        /* The last record of each partition in this batch: one offset store per partition. */
        rd_kafka_message_t *last[MAX_PARTITIONS] = {0};
        for (ssize_t i = 0; i < fetched; i++) {
            rd_kafka_message_t *message = batch[i];
            if (message->err) {
                fprintf(stderr, "anchor_batch_consumer: %s\n", rd_kafka_message_errstr(message));
                continue;
            }
            if (count == 0) {
                started = now;
                cpu_started = cpu_seconds();
            }
            if (measure_latency) latency_record(&histogram, message->payload, message->len, latency_now_us());
            if (message->partition >= 0 && message->partition < MAX_PARTITIONS) last[message->partition] = message;
            count++;
        }
        last_record = now;
        for (int p = 0; p < MAX_PARTITIONS; p++) {
            if (last[p]) rd_kafka_offset_store_message(last[p]);
        }
        for (ssize_t i = 0; i < fetched; i++) rd_kafka_message_destroy(batch[i]);
        if (now - last_commit >= 1.0) {
            rd_kafka_commit(consumer, NULL, 1 /* async, like the host's periodic commit */);
            last_commit = now;
        }
    }
    rd_kafka_queue_destroy(queue);
    return anchor_finish("anchor_batch_consumer", consumer, status, measure_latency ? &histogram : NULL, count, started, cpu_started);
}
