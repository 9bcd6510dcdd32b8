/*
 * kafka_mock_cluster.h — librdkafka's in-process mock cluster for the
 * Kafka fetch-to-dispatch micro-benchmark (no broker process): start one,
 * fill a topic, and read it back with librdkafka's batch-queue loop (the
 * anchor the host's consumer is compared with).
 */
#ifndef KAFKA_MOCK_CLUSTER_H
#define KAFKA_MOCK_CLUSTER_H

#include <stddef.h>

/* A mock cluster of one broker (`test.mock.num.brokers=1`), owned by a producer. */
typedef struct kafka_mock_cluster kafka_mock_cluster;

/* Starts a cluster; NULL with `error` filled on failure. */
kafka_mock_cluster *kafka_mock_cluster_start(char *error, size_t error_size);

/* The cluster's bootstrap servers (host:port on loopback), for other clients. */
const char *kafka_mock_cluster_bootstraps(const kafka_mock_cluster *cluster);

/* Creates `topic` with `partitions` and produces `records` values of
 * `value_bytes` bytes (no key), round-robin over the partitions; returns 0
 * once all are acknowledged, -1 with `error` filled otherwise. */
int kafka_mock_cluster_fill(kafka_mock_cluster *cluster, const char *topic, int partitions, long records,
                            int value_bytes, char *error, size_t error_size);

/* Stops the cluster and its producer. */
void kafka_mock_cluster_stop(kafka_mock_cluster *cluster);

/* A plain librdkafka consumer reading the way S1's batch anchor does: up to
 * `batch` records per rd_kafka_consume_batch_queue call from the consumer
 * queue, each message destroyed right after its batch is looked at. */
typedef struct kafka_batch_reader kafka_batch_reader;

/* Subscribes a consumer in `group` to `topic` (from the earliest offset, no
 * commits); NULL with `error` filled on failure. */
kafka_batch_reader *kafka_batch_reader_open(const char *bootstraps, const char *topic, const char *group,
                                            char *error, size_t error_size);

/* Reads until `records` records were read or no record came for
 * `idle_timeout_ms`; returns the records read. */
long kafka_batch_reader_read(kafka_batch_reader *reader, long records, int batch, int idle_timeout_ms);

/* Closes the consumer. */
void kafka_batch_reader_close(kafka_batch_reader *reader);

#endif
