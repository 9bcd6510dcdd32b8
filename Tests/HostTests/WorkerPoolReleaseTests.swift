import Foundation
import SluiceHost
import Testing
import TestSupport

/// The worker pool lets go of a job (and what it captured: a batch, and on
/// Kafka the librdkafka messages and fetch buffers behind it) once the job
/// ran, not when its queue is next compacted.
@Suite("Worker pool release")
struct WorkerPoolReleaseTests {
    /// Something a job captures, whose release the test observes.
    final class Payload: Sendable {}

    /// A weak reference the test's closures may share.
    final class WeakPayload: @unchecked Sendable {
        // @unchecked: written once before the job is submitted, then only read.
        weak var value: Payload?
    }

    @Test("a job's captures are released once it ran, while the pool keeps running")
    func jobReleasedAfterRunning() async throws {
        let pool = WorkerPool(size: 1)
        defer { pool.shutdown() }
        let observed = WeakPayload()
        do {
            let payload = Payload()
            observed.value = payload
            pool.submit { withExtendedLifetime(payload) {} }
        }
        try await eventually(timeout: .seconds(10), "the first job's payload released") { observed.value == nil }
    }
}
