/*
 * anchor_common.h — what the S1/S2 anchor consumers share: their clocks and
 * a subscribed consumer with the host's configuration for the local broker
 * (manual offset store and commits, fetch.wait.max.ms=10).
 */
#ifndef ANCHOR_COMMON_H
#define ANCHOR_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "latency_histogram.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

static void anchor_set(const char *program, rd_kafka_conf_t *conf, const char *key, const char *value) {
    char error[512];
    if (rd_kafka_conf_set(conf, key, value, error, sizeof error) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "%s: %s=%s: %s\n", program, key, value, error);
        exit(1);
    }
}

/* A consumer of GROUP subscribed to TOPIC, configured like the host; exits on error. */
static rd_kafka_t *anchor_subscribe(const char *program, const char *bootstrap, const char *topic, const char *group) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    anchor_set(program, conf, "bootstrap.servers", bootstrap);
    anchor_set(program, conf, "group.id", group);
    anchor_set(program, conf, "enable.auto.commit", "false");
    anchor_set(program, conf, "enable.auto.offset.store", "false");
    anchor_set(program, conf, "auto.offset.reset", "earliest");
    anchor_set(program, conf, "enable.partition.eof", "false");
    anchor_set(program, conf, "fetch.wait.max.ms", "10");
    anchor_set(program, conf, "session.timeout.ms", "6000");
    anchor_set(program, conf, "max.poll.interval.ms", "6000");
    anchor_set(program, conf, "heartbeat.interval.ms", "1000");

    char error[512];
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    if (consumer == NULL) {
        fprintf(stderr, "%s: rd_kafka_new: %s\n", program, error);
        exit(1);
    }
    rd_kafka_poll_set_consumer(consumer);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        fprintf(stderr, "%s: subscribe %s: %s\n", program, topic, rd_kafka_err2str(err));
        exit(1);
    }
    return consumer;
}

/* S2: prints "assigned" once the consumer owns partitions (the producer
 * starts then); returns whether it does. */
static int anchor_report_assigned(rd_kafka_t *consumer) {
    rd_kafka_topic_partition_list_t *assignment = NULL;
    int owns = rd_kafka_assignment(consumer, &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR && assignment->cnt > 0;
    if (assignment) rd_kafka_topic_partition_list_destroy(assignment);
    if (owns) {
        printf("assigned\n");
        fflush(stdout);
    }
    return owns;
}

/* The end of a run: the final synchronous commit, the result line (or with
 * LATENCY the latency percentiles), and the consumer closed. Returns the exit status. */
static int anchor_finish(const char *program, rd_kafka_t *consumer, int status, const latency_histogram *latency,
                         long long count, double started, double cpu_started) {
    if (status == 0) {
        rd_kafka_resp_err_t err = rd_kafka_commit(consumer, NULL, 0);
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
            fprintf(stderr, "%s: final commit: %s\n", program, rd_kafka_err2str(err));
            status = 1;
        }
        if (latency) {
            latency_print(latency, stdout);
        } else {
            printf("records=%lld seconds=%.6f cpu_seconds=%.6f\n", count, now_seconds() - started, cpu_seconds() - cpu_started);
            fflush(stdout);
        }
    }
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    return status;
}

#endif
