import Foundation
import Testing
import TestSupport

/// Reliability: SIGTERM under load commits exactly the finished prefix,
/// and the next start resumes there: no record lost, none handled twice.
@Suite("Reliability: graceful stop", .serialized)
struct GracefulStopTests {
    @Test("SIGTERM under load: committed == finished prefix per partition; restart resumes there with no duplicate",
          arguments: ["in_process", "process"])
    func gracefulStopUnderLoad(isolation: String) async throws {
        let profile = ReliabilityProfile.current
        // 100 ms per batch of 50: the records take about 10 s, so each SIGTERM
        // lands while records flow, however fast the machine reads Kafka.
        let run = try await ChaosRun(world: KafkaTestWorld(), batchSize: 50, maxInFlight: 500, isolation: isolation,
                                     recorderDelay: .milliseconds(100))
        defer { run.remove() }
        let total = profile.gracefulRecords
        let ends = try await run.produceInput(count: total)

        var stoppedAt: [Int] = []
        for stop in 1...profile.gracefulStops {
            let host = try run.startHost()
            defer { host.signal(SIGKILL) }
            // Under load: the host is finishing records when the signal comes.
            let target = total * stop / (profile.gracefulStops + 1)
            try await eventually(timeout: .seconds(180), "stop \(stop): \(target) records finished") {
                guard host.isRunning else { throw HarnessError("sluice exited before stop \(stop):\n\(host.logTail())") }
                return try await run.ledger().distinct >= target
            }
            let status = try await host.terminateWhenServing()
            #expect(status == 0, "stop \(stop): sluice exits 0 after SIGTERM:\n\(host.logTail())")

            let ledger = try await run.settledLedger()
            let committed = try await run.committed()
            stoppedAt.append(ledger.distinct)
            #expect(ledger.distinct < total, "stop \(stop) came mid-run")
            #expect(ledger.prefixMismatches(committed: committed) == [], "stop \(stop): committed \(committed)")
            #expect(ledger.duplicates == 0, "stop \(stop)")
        }

        let host = try run.startHost()
        defer { host.signal(SIGKILL) }
        try await run.waitAllFinished(ends, by: host, timeout: .seconds(600))
        #expect(try await host.terminateWhenServing() == 0)
        let ledger = try await run.ledger()
        print("""
            graceful stop (\(profile)): \(total) records, \(profile.gracefulStops) SIGTERM under load at \(stoppedAt) \
            records finished; lost \(ledger.missing(ends: ends)), duplicates \(ledger.duplicates)
            """)
        #expect(ledger.missing(ends: ends) == 0)
        #expect(ledger.duplicates == 0)
        #expect(try await run.committed() == ends)
    }
}
