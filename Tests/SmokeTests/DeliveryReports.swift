import CRdKafka
import Foundation

/// Delivery reports collected by the producer's callback. librdkafka calls
/// it from the thread that runs flush/poll, but a lock keeps that an
/// implementation detail rather than an assumption.
final class DeliveryReports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [(error: rd_kafka_resp_err_t, offset: Int64)] = []

    /// Called from the delivery-report callback.
    func record(error: rd_kafka_resp_err_t, offset: Int64) {
        lock.withLock { reports.append((error, offset)) }
    }

    /// The first report received, if any.
    var first: (error: rd_kafka_resp_err_t, offset: Int64)? {
        lock.withLock { reports.first }
    }
}
