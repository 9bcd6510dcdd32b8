import Foundation
import Testing
import TestSupport

/// Reliability: the broker frozen (SIGSTOP) mid-run. The host stays up,
/// `/readyz` says not ready while the broker is gone and ready once it is back,
/// and every record is finished. A private Tansu, so no other test is frozen.
@Suite("Reliability: broker outage", .serialized)
struct BrokerOutageTests {
    @Test("broker frozen mid-run: host stays up, /readyz not ready during the freeze and ready after, all finishes")
    func brokerFrozen() async throws {
        let profile = ReliabilityProfile.current
        let broker = try await KafkaTestBroker()
        defer { broker.stop() }
        let run = try await ChaosRun(world: KafkaTestWorld(bootstrap: broker.bootstrap), batchSize: 50, maxInFlight: 500)
        defer { run.remove() }
        let total = profile.outageRecords
        let ends = try await run.produceInput(count: total)

        let host = try run.startHost()
        defer { host.signal(SIGKILL) }
        let port = try await host.adminPort()
        try await eventually(timeout: .seconds(60), "ready before the outage") { try await host.isReady(adminPort: port) }
        try await eventually(timeout: .seconds(180), "a first share finished") { try await run.ledger().distinct >= total / 10 }
        let finishedBefore = try await run.ledger().distinct

        broker.pause()
        var notReadySeen = 0, readinessChecks = 0
        do {
            // Whatever happens here, the broker is thawed again.
            defer { broker.resume() }
            let thawAt = ContinuousClock.now + profile.brokerOutage
            while ContinuousClock.now < thawAt {
                readinessChecks += 1
                if try await !host.isReady(adminPort: port) { notReadySeen += 1 }
                #expect(host.isRunning, "the host stays up while the broker is frozen:\n\(host.logTail())")
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        let thawed = ContinuousClock.now
        try await eventually(timeout: .seconds(120), "ready again after the broker is back") { try await host.isReady(adminPort: port) }
        let readyAfter = ContinuousClock.now - thawed
        try await run.waitAllFinished(ends, by: host, timeout: .seconds(600))
        let allFinishedAfter = ContinuousClock.now - thawed
        #expect(try await host.terminate() == 0)

        let ledger = try await run.ledger()
        print("""
            broker outage (\(profile)): \(total) records, broker frozen \(profile.brokerOutage) after \(finishedBefore) finished; \
            /readyz not ready in \(notReadySeen) of \(readinessChecks) checks during the freeze; ready again \(readyAfter) \
            after the thaw, all finished \(allFinishedAfter) after it; lost \(ledger.missing(ends: ends)), \
            duplicates \(ledger.duplicates)
            """)
        #expect(finishedBefore < total, "the freeze came mid-run")
        #expect(notReadySeen > 0, "/readyz reported the frozen broker")
        #expect(ledger.missing(ends: ends) == 0)
        #expect(try await run.committed() == ends)
    }
}
