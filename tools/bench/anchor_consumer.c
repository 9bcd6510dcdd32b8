/*
 * anchor_consumer.c — the S1/S2 anchor: the plainest fast librdkafka consumer.
 * An rd_kafka_consumer_poll loop that stores every record's offset
 * (rd_kafka_offsets_store, like the host after its ledger advances) and
 * commits the stored offsets every second and at the end, with the host's
 * configuration for the local broker (fetch.wait.max.ms=10, manual store).
 *
 *   anchor_consumer BOOTSTRAP TOPIC GROUP RECORDS [latency]
 *
 * Prints one line, measured from the first record to the RECORDS-th:
 *   records=N seconds=S cpu_seconds=C
 * With "latency" (S2), prints "assigned" once it owns partitions, and at the
 * end the produce→consume latency percentiles instead (latency_histogram.h).
 * Exit status 0 once RECORDS records were consumed and committed; 1 on error
 * or when no record arrives for 60 s.
 *
 * Build: cc -O2 anchor_consumer.c -o anchor_consumer $(pkg-config --cflags --libs rdkafka)
 */
#include <stdio.h>
#include <string.h>

#include "anchor_common.h"

static latency_histogram histogram;

int main(int argc, char **argv) {
    if (argc != 5 && !(argc == 6 && strcmp(argv[5], "latency") == 0)) {
        fprintf(stderr, "usage: anchor_consumer BOOTSTRAP TOPIC GROUP RECORDS [latency]\n");
        return 1;
    }
    int measure_latency = argc == 6;
    int assigned = 0;
    const char *topic = argv[2];
    long long wanted = atoll(argv[4]);

    rd_kafka_t *consumer = anchor_subscribe("anchor_consumer", argv[1], topic, argv[3]);

    long long count = 0;
    double started = 0, cpu_started = 0, last_record = now_seconds(), last_commit = now_seconds();
    int status = 0;
    while (count < wanted) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(consumer, 100);
        double now = now_seconds();
        if (measure_latency && !assigned) assigned = anchor_report_assigned(consumer);
        if (message == NULL) {
            if (now - last_record > 60) {
                fprintf(stderr, "anchor_consumer: no record for 60 s after %lld of %lld\n", count, wanted);
                status = 1;
                break;
            }
            continue;
        }
        if (message->err) {
            fprintf(stderr, "anchor_consumer: %s\n", rd_kafka_message_errstr(message));
            rd_kafka_message_destroy(message);
            continue;
        }
        if (count == 0) {
            started = now;
            cpu_started = cpu_seconds();
        }
        last_record = now;
        if (measure_latency) latency_record(&histogram, message->payload, message->len, latency_now_us());
        rd_kafka_offset_store_message(message);
        rd_kafka_message_destroy(message);
        count++;
        if (now - last_commit >= 1.0) {
            rd_kafka_commit(consumer, NULL, 1 /* async, like the host's periodic commit */);
            last_commit = now;
        }
    }
    return anchor_finish("anchor_consumer", consumer, status, measure_latency ? &histogram : NULL, count, started, cpu_started);
}
