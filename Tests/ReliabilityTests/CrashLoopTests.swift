import Foundation
import Testing
import TestSupport

/// Reliability: `kill -9` the host again and again during a run on
/// kafka://, restarting it each time. Nothing may be lost; what comes round
/// again is counted and bounded by what the host had finished without
/// committing when it died.
@Suite("Reliability: crash loop", .serialized)
struct CrashLoopTests {
    @Test("kill -9 the host mid-run, restart, repeat: lost 0, duplicates within the uncommitted window",
          arguments: ["in_process", "process"])
    func crashLoop(isolation: String) async throws {
        let profile = ReliabilityProfile.current
        // A small in-flight limit paces the run (each batch waits for its
        // output's acknowledgements), so every kill lands mid-run.
        let run = try await ChaosRun(world: KafkaTestWorld(), batchSize: 20, maxInFlight: 40, isolation: isolation)
        defer { run.remove() }
        let total = profile.crashLoopRecords
        let ends = try await run.produceInput(count: total)

        // Kill moments: random shares of the run, each after the current host made progress.
        let killPoints = (0..<profile.crashes).map { _ in Int.random(in: total / 10...total * 8 / 10) }.sorted()
        var host = try run.startHost()
        defer { host.signal(SIGKILL) }
        var windows: [Int] = []
        var recoveries: [Duration] = []
        var finishedAtKills: [Int] = []
        for (index, point) in killPoints.enumerated() {
            try await eventually(timeout: .seconds(180), "crash \(index + 1): \(point) records finished") {
                guard host.isRunning else { throw HarnessError("sluice exited before crash \(index + 1):\n\(host.logTail())") }
                return try await run.ledger().distinct >= point
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0..<300)))
            // Commits only move forward, so what was committed just before the
            // kill bounds from below where the next host starts.
            let committedBefore = try await run.committed()
            await host.kill()
            let ledger = try await run.settledLedger()
            finishedAtKills.append(ledger.distinct)
            windows.append(ledger.handledBeyond(committed: committedBefore))

            host = try run.startHost()
            let restartedAt = ContinuousClock.now
            let before = ledger.distinct
            try await eventually(timeout: .seconds(120), "progress after restart \(index + 1)") {
                guard host.isRunning else { throw HarnessError("sluice exited after restart \(index + 1):\n\(host.logTail())") }
                let ledger = try await run.ledger()
                return ledger.distinct > before || ledger.missing(ends: ends) == 0
            }
            recoveries.append(ContinuousClock.now - restartedAt)
        }
        try await run.waitAllFinished(ends, by: host, timeout: .seconds(600))
        try await eventually(timeout: .seconds(60), "every offset committed") { try await run.committed() == ends }
        let status = try await host.terminateWhenServing()

        let ledger = try await run.ledger()
        let bound = windows.reduce(0, +)
        print("""
            crash loop (\(profile)): \(total) records, \(profile.crashes) kill -9 at \(finishedAtKills) records finished; \
            lost \(ledger.missing(ends: ends)), duplicates \(ledger.duplicates) \
            (bound: uncommitted at each kill \(windows), sum \(bound); max_in_flight \(run.maxInFlight), \
            batch_size \(run.batchSize), commit_interval \(run.commitInterval)); \
            restart → first new record: \(recoveries.map { "\($0)" }.joined(separator: ", "))
            """)
        #expect(status == 0, "the last host stopped gracefully")
        #expect(finishedAtKills.allSatisfy { $0 < total }, "every kill landed mid-run: \(finishedAtKills)")
        #expect(ledger.missing(ends: ends) == 0)
        #expect(ledger.misplaced == 0)
        #expect(ledger.duplicates <= bound, "duplicates \(ledger.duplicates) beyond what was uncommitted at the kills \(windows)")
        #expect(try await run.committed() == ends)
    }
}
