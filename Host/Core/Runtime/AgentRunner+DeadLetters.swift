import Logging

extension AgentRunner {
    /// Produces one record to the dead-letter topic; its ledger unit is
    /// finished when the broker acknowledges it. A failed dead-letter produce
    /// is tried again with backoff: never dropped. One refused as too large is
    /// sent again at once without its value (a header says so), because
    /// unchanged it could never succeed and would hold the partition forever.
    func sendToDeadLetterTopic(_ order: DeadLetterOrder<BatchContext>, attempt: Int = 1, omitValue: Bool = false) {
        let delivery = order.delivery
        let partition = order.lane.partition
        let message = delivery.messages[order.index]
        let whole = DeadLetterRecord.make(
            message: message, source: partition, topic: deadLetterTopic, reason: order.reason,
            agent: name, pluginVersion: image.version, attempts: delivery.attempt)
        let record = omitValue ? DeadLetterRecord.withoutValue(whole) : whole
        if attempt == 1 && !omitValue {
            logger.warning("dead-lettered", metadata: [
                "topic": .string(partition.topic), "partition": .stringConvertible(partition.partition),
                "offset": .stringConvertible(message.offset), "reason": .string(order.reason),
            ])
            metrics.deadLettered.increment()
        }
        producer.produce(record) { [self] result in
            switch result {
            case .success:
                feed { machine, _, _ in machine.deadLetterAcknowledged(lane: order.lane, ticket: order.ticket) }
            case .failure(let error) where error.isRecordTooLarge && !omitValue && record.value != nil:
                recordError("dead-letter produce to \(deadLetterTopic) failed: \(error); sending it without the value")
                sendToDeadLetterTopic(order, attempt: attempt, omitValue: true)
            case .failure(let error):
                recordError("dead-letter produce to \(deadLetterTopic) failed: \(error); trying again")
                let delay = settings.retry.backoff(forAttempt: attempt, random: Double.random(in: 0..<1))
                scheduler.schedule(after: delay) { [self] in
                    sendToDeadLetterTopic(order, attempt: attempt + 1, omitValue: omitValue)
                }
            }
        }
    }
}
