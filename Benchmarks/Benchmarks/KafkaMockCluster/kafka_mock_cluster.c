/*
 * kafka_mock_cluster.c — see include/kafka_mock_cluster.h.
 */
#include "kafka_mock_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

struct kafka_mock_cluster {
    rd_kafka_t *producer;
    rd_kafka_mock_cluster_t *mock;
    char *bootstraps;
};

struct kafka_batch_reader {
    rd_kafka_t *consumer;
    rd_kafka_queue_t *queue;
    rd_kafka_message_t **messages;
    int capacity;
};

static int set(rd_kafka_conf_t *conf, const char *key, const char *value, char *error, size_t error_size) {
    return rd_kafka_conf_set(conf, key, value, error, error_size) == RD_KAFKA_CONF_OK ? 0 : -1;
}

kafka_mock_cluster *kafka_mock_cluster_start(char *error, size_t error_size) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "test.mock.num.brokers", "1", error, error_size) || set(conf, "linger.ms", "5", error, error_size) ||
        set(conf, "batch.size", "1000000", error, error_size) ||
        set(conf, "queue.buffering.max.messages", "1000000", error, error_size)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, error_size);
    if (producer == NULL) return NULL;
    rd_kafka_mock_cluster_t *mock = rd_kafka_handle_mock_cluster(producer);
    if (mock == NULL) {
        snprintf(error, error_size, "no mock cluster started");
        rd_kafka_destroy(producer);
        return NULL;
    }
    kafka_mock_cluster *cluster = calloc(1, sizeof *cluster);
    cluster->producer = producer;
    cluster->mock = mock;
    cluster->bootstraps = strdup(rd_kafka_mock_cluster_bootstraps(mock));
    return cluster;
}

const char *kafka_mock_cluster_bootstraps(const kafka_mock_cluster *cluster) { return cluster->bootstraps; }

int kafka_mock_cluster_fill(kafka_mock_cluster *cluster, const char *topic, int partitions, long records,
                            int value_bytes, char *error, size_t error_size) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster->mock, topic, partitions, 1);
    if (err) {
        snprintf(error, error_size, "creating %s: %s", topic, rd_kafka_err2str(err));
        return -1;
    }
    char *value = malloc((size_t)value_bytes);
    memset(value, 'x', (size_t)value_bytes);
    for (long index = 0; index < records; index++) {
        for (;;) {
            err = rd_kafka_producev(cluster->producer, RD_KAFKA_V_TOPIC(topic),
                                    RD_KAFKA_V_PARTITION((int32_t)(index % partitions)),
                                    RD_KAFKA_V_VALUE(value, (size_t)value_bytes), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_END);
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
            rd_kafka_poll(cluster->producer, 10);
        }
        if (err) {
            snprintf(error, error_size, "producing to %s: %s", topic, rd_kafka_err2str(err));
            free(value);
            return -1;
        }
        rd_kafka_poll(cluster->producer, 0);
    }
    free(value);
    err = rd_kafka_flush(cluster->producer, 60000);
    if (err) {
        snprintf(error, error_size, "flushing %s: %s", topic, rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

void kafka_mock_cluster_stop(kafka_mock_cluster *cluster) {
    if (cluster == NULL) return;
    rd_kafka_destroy(cluster->producer);
    free(cluster->bootstraps);
    free(cluster);
}

kafka_batch_reader *kafka_batch_reader_open(const char *bootstraps, const char *topic, const char *group,
                                            char *error, size_t error_size) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* S1's batch anchor's settings (tools/bench/anchor_common.h). */
    if (set(conf, "bootstrap.servers", bootstraps, error, error_size) || set(conf, "group.id", group, error, error_size) ||
        set(conf, "enable.auto.commit", "false", error, error_size) ||
        set(conf, "enable.auto.offset.store", "false", error, error_size) ||
        set(conf, "auto.offset.reset", "earliest", error, error_size) ||
        set(conf, "enable.partition.eof", "false", error, error_size) ||
        set(conf, "fetch.wait.max.ms", "10", error, error_size)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, error_size);
    if (consumer == NULL) return NULL;
    rd_kafka_poll_set_consumer(consumer);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        snprintf(error, error_size, "subscribing to %s: %s", topic, rd_kafka_err2str(err));
        rd_kafka_destroy(consumer);
        return NULL;
    }
    kafka_batch_reader *reader = calloc(1, sizeof *reader);
    reader->consumer = consumer;
    reader->queue = rd_kafka_queue_get_consumer(consumer);
    return reader;
}

static double monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

long kafka_batch_reader_read(kafka_batch_reader *reader, long records, int batch, int idle_timeout_ms) {
    if (reader->capacity < batch) {
        free(reader->messages);
        reader->messages = malloc(sizeof(rd_kafka_message_t *) * (size_t)batch);
        reader->capacity = batch;
    }
    long read = 0;
    double last_record = monotonic_ms();
    while (read < records) {
        long wanted = records - read < batch ? records - read : batch;
        ssize_t fetched = rd_kafka_consume_batch_queue(reader->queue, 100, reader->messages, (size_t)wanted);
        if (fetched <= 0) {
            if (monotonic_ms() - last_record > idle_timeout_ms) break;
            continue;
        }
        last_record = monotonic_ms();
        for (ssize_t index = 0; index < fetched; index++) {
            if (reader->messages[index]->err == RD_KAFKA_RESP_ERR_NO_ERROR) read++;
            rd_kafka_message_destroy(reader->messages[index]);
        }
    }
    return read;
}

void kafka_batch_reader_close(kafka_batch_reader *reader) {
    if (reader == NULL) return;
    rd_kafka_queue_destroy(reader->queue);
    rd_kafka_consumer_close(reader->consumer);
    rd_kafka_destroy(reader->consumer);
    free(reader->messages);
    free(reader);
}
