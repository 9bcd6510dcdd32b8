/*
 * fill_producer.c — fills a topic fast for the benchmarks: creates it with
 * PARTITIONS partitions (an existing topic is fine), then produces RECORDS
 * records of SIZE bytes round-robin over the partitions with an idempotent,
 * batching producer (linger.ms=5, 1 MiB batches), and waits for every
 * delivery report.
 *
 *   fill_producer BOOTSTRAP TOPIC PARTITIONS RECORDS SIZE [RATE]
 *
 * SIZE "feed" (S4) makes each value a feed activity for the redis plugin,
 * drawn like S4's redis-benchmark anchor (`-r 1000`) draws its commands:
 * {"user":"user:<000000000000-000000000999>","message":"message <same range>
 * from the benchmark","timestamp":"…"}, both numbers from random() (its default seed), so
 * Redis does the same mix of inserts and updates for both.
 * With RATE (records/s, S2), it paces itself to that rate, with linger.ms=1,
 * and each value starts with its produce time in µs (latency_histogram.h).
 *
 * Prints: produced=N seconds=S. Exit status 1 if any record failed.
 *
 * Build: cc -O2 fill_producer.c -o fill_producer $(pkg-config --cflags --libs rdkafka)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "latency_histogram.h"

static long long failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk; (void)opaque;
    if (message->err && failed++ == 0)
        fprintf(stderr, "fill_producer: delivery failed: %s\n", rd_kafka_err2str(message->err));
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
    char error[512];
    if (rd_kafka_conf_set(conf, key, value, error, sizeof error) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "fill_producer: %s=%s: %s\n", key, value, error);
        exit(1);
    }
}

/* CreateTopics through the Admin API: the local broker does not auto-create. */
static void create_topic(rd_kafka_t *rk, const char *topic, int partitions) {
    char error[512];
    rd_kafka_NewTopic_t *new_topic = rd_kafka_NewTopic_new(topic, partitions, -1, error, sizeof error);
    if (new_topic == NULL) {
        fprintf(stderr, "fill_producer: topic %s: %s\n", topic, error);
        exit(1);
    }
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &new_topic, 1, NULL, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, 15000);
    const rd_kafka_CreateTopics_result_t *result = event ? rd_kafka_event_CreateTopics_result(event) : NULL;
    if (result == NULL) {
        fprintf(stderr, "fill_producer: CreateTopics %s: %s\n", topic, event ? rd_kafka_event_error_string(event) : "timed out");
        exit(1);
    }
    size_t count;
    const rd_kafka_topic_result_t **topics = rd_kafka_CreateTopics_result_topics(result, &count);
    for (size_t i = 0; i < count; i++) {
        rd_kafka_resp_err_t err = rd_kafka_topic_result_error(topics[i]);
        if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            fprintf(stderr, "fill_producer: CreateTopics %s: %s\n", topic, rd_kafka_err2str(err));
            exit(1);
        }
    }
    rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
    rd_kafka_NewTopic_destroy(new_topic);
}

int main(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: fill_producer BOOTSTRAP TOPIC PARTITIONS RECORDS SIZE [RATE]\n");
        return 1;
    }
    double rate = argc == 7 ? atof(argv[6]) : 0;
    const char *topic = argv[2];
    int partitions = atoi(argv[3]);
    long long records = atoll(argv[4]);
    int feed = strcmp(argv[5], "feed") == 0;
    size_t size = feed ? 160 : (size_t)atol(argv[5]);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", argv[1]);
    set(conf, "enable.idempotence", "true");
    set(conf, "linger.ms", rate > 0 ? "1" : "5");
    set(conf, "batch.size", "1048576");
    set(conf, "queue.buffering.max.messages", "1000000");
    set(conf, "queue.buffering.max.kbytes", "1048576");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char error[512];
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (producer == NULL) {
        fprintf(stderr, "fill_producer: rd_kafka_new: %s\n", error);
        return 1;
    }
    create_topic(producer, topic, partitions);

    rd_kafka_topic_t *handle = rd_kafka_topic_new(producer, topic, NULL);
    char *value = malloc(size);
    memset(value, 'x', size);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long long i = 0; i < records; i++) {
        if (rate > 0) {
            /* Pace: record i is due i/rate seconds after the start. */
            for (;;) {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                double elapsed = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
                double ahead = (double)i / rate - elapsed;
                if (ahead <= 0) break;
                rd_kafka_poll(producer, 0);
                struct timespec pause = {0, (long)(ahead > 0.001 ? 1000000 : ahead * 1e9)};
                nanosleep(&pause, NULL);
            }
            int written = snprintf(value, size, "%lld", (long long)latency_now_us());
            if ((size_t)written < size) value[written] = ' ';
        }
        size_t length = size;
        if (feed) {
            long user = random() % 1000, member = random() % 1000;
            length = (size_t)snprintf(value, size, "{\"user\":\"user:%012ld\",\"message\":\"message %012ld from the benchmark\","
                                      "\"timestamp\":\"2019-05-21T13:55:12.123Z\"}", user, member);
        }
        while (rd_kafka_produce(handle, (int32_t)(i % partitions), RD_KAFKA_MSG_F_COPY, value, length, NULL, 0, NULL) == -1) {
            rd_kafka_resp_err_t err = rd_kafka_last_error();
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                fprintf(stderr, "fill_producer: produce: %s\n", rd_kafka_err2str(err));
                return 1;
            }
            rd_kafka_poll(producer, 10);
        }
        rd_kafka_poll(producer, 0);
    }
    while (rd_kafka_outq_len(producer) > 0) rd_kafka_flush(producer, 1000);
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("produced=%lld seconds=%.3f\n", records - failed,
           (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9);
    free(value);
    rd_kafka_topic_destroy(handle);
    rd_kafka_destroy(producer);
    return failed ? 1 : 0;
}
