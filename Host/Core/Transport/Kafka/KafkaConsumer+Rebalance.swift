import CRdKafka
import Logging

/// The rebalance callback: librdkafka calls it on the fetcher thread from
/// inside `poll` (or `close`), for the eager and the cooperative protocol alike.
///
/// - Revoke: the listener is told *before* the partitions are given up, and
///   commits inside that call (synchronously; not when the assignment was
///   lost, see `losing`); then they are unassigned
///   (`rd_kafka_assign(NULL)` for eager, `rd_kafka_incremental_unassign` for
///   cooperative). So no record of a revoked partition is handed out after
///   its offsets were committed.
/// - Assign: the committed offsets are read (`rd_kafka_committed`), a
///   partition without one starts at its low or high watermark per
///   `auto.offset.reset`; the partitions get their own fetch queues, the
///   listener is told, then they are assigned at exactly those offsets.
extension KafkaConsumer {
    func rebalance(_ code: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let client = handle.pointer
        let cooperative = String(cString: rd_kafka_rebalance_protocol(client)) == "COOPERATIVE"
        let partitions = TopicPartitionList.partitions(list)
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let starts = startOffsets(for: list)
            lock.withLock {
                adopt(partitions, starts: starts)
                rebalancedDuringPoll.formUnion(partitions)
            }
            logger.info("partitions assigned", metadata: [
                "partitions": .string(partitions.map(\.description).joined(separator: ",")),
                "protocol": .string(cooperative ? "cooperative" : "eager"),
            ])
            let moved = listener?.assigned(partitions, startOffsets: starts) ?? [:]
            if !moved.isEmpty {
                for index in 0..<Int(list.pointee.cnt) {
                    let element = list.pointee.elems[index]
                    if let start = moved[TopicPartition(String(cString: element.topic), element.partition)] {
                        list.pointee.elems[index].offset = start
                    }
                }
                lock.withLock { startOffsets.merge(moved) { $1 } }
            }
            if cooperative {
                Self.check(rd_kafka_incremental_assign(client, list), "incremental assign", logger: logger)
            } else {
                let result = rd_kafka_assign(client, list)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR { logger.error("assign failed: \(KafkaError.describe(result))") }
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let names = partitions.map(\.description).joined(separator: ",")
            // Lost (session expired, or the group moved on while the broker
            // was unreachable): another member may own them already, so their
            // offsets are not committed; the new owner starts from the last commit.
            let lost = rd_kafka_assignment_lost(client) != 0
            if lost {
                logger.warning("partitions lost: revoked without committing; the new owner starts from the last commit",
                               metadata: ["partitions": .string(names)])
                lostPartitions.increment(by: partitions.count)
            } else {
                logger.info("partitions revoked", metadata: ["partitions": .string(names)])
            }
            let wasSynchronous: Bool = lock.withLock {
                if lost { losing = Set(partitions) }
                defer { commitSynchronously = true }
                return commitSynchronously
            }
            listener?.revoked(partitions)
            lock.withLock {
                commitSynchronously = wasSynchronous
                losing = []
                forget(partitions)
                rebalancedDuringPoll.formUnion(partitions)
            }
            if cooperative {
                Self.check(rd_kafka_incremental_unassign(client, list), "incremental unassign", logger: logger)
            } else {
                _ = rd_kafka_assign(client, nil)
            }
        default:
            logger.error("rebalance failed: \(KafkaError.describe(code)); dropping the assignment")
            let revoked: [TopicPartition] = lock.withLock { Array(assignment) }
            if !revoked.isEmpty {
                listener?.revoked(revoked)
                lock.withLock { forget(revoked); rebalancedDuringPoll.formUnion(revoked) }
            }
            _ = rd_kafka_assign(client, nil)
        }
    }

    /// Where each partition of `list` starts; also writes those offsets into
    /// `list`, so the assignment starts exactly where the listener was told.
    private func startOffsets(for list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition: Int64] {
        let client = handle.pointer
        let timeout = settings.requestTimeoutMilliseconds
        let committedCode = rd_kafka_committed(client, list, timeout)
        if committedCode != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("reading committed offsets failed: \(KafkaError.describe(committedCode)); librdkafka resolves the start itself")
        }
        var starts: [TopicPartition: Int64] = [:]
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            let partition = TopicPartition(String(cString: element.topic), element.partition)
            if committedCode == RD_KAFKA_RESP_ERR_NO_ERROR, element.err == RD_KAFKA_RESP_ERR_NO_ERROR, element.offset >= 0 {
                starts[partition] = element.offset
                continue
            }
            var low: Int64 = 0, high: Int64 = 0
            let code = rd_kafka_query_watermark_offsets(client, partition.topic, partition.partition, &low, &high, timeout)
            if code == RD_KAFKA_RESP_ERR_NO_ERROR {
                let start = offsetReset == "latest" || offsetReset == "largest" || offsetReset == "end" ? high : low
                starts[partition] = start
                list.pointee.elems[index].offset = start
            } else {
                // Unknown here: let librdkafka apply auto.offset.reset; the
                // ledger starts at 0 and follows the first batch.
                list.pointee.elems[index].offset = Int64(RD_KAFKA_OFFSET_INVALID)
                starts[partition] = 0
            }
            list.pointee.elems[index].err = RD_KAFKA_RESP_ERR_NO_ERROR
        }
        return starts
    }

    /// Rebalance handling when the consumer object is gone: just follow librdkafka.
    static func defaultRebalance(_ client: OpaquePointer, _ code: rd_kafka_resp_err_t,
                                 _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(client)) == "COOPERATIVE"
        switch (code, cooperative) {
        case (RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, true): rd_kafka_error_destroy(rd_kafka_incremental_assign(client, list))
        case (RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, false): _ = rd_kafka_assign(client, list)
        case (RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS, true): rd_kafka_error_destroy(rd_kafka_incremental_unassign(client, list))
        default: _ = rd_kafka_assign(client, nil)
        }
    }

    private static func check(_ error: OpaquePointer?, _ what: String, logger: Logger) {
        guard let error else { return }
        logger.error("\(what) failed: \(String(cString: rd_kafka_error_string(error)))")
        rd_kafka_error_destroy(error)
    }
}
