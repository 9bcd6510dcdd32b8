import Foundation
@testable import SluiceHost
import Testing
import TestSupport

/// Reliability of state on kafka://: a count kept in a table by the stateful
/// counter must equal the exact count of the input after `kill -9` of the
/// host again and again, and after partitions move to a second host and
/// back. Counted through the changelogs, read the way a host restores them.
@Suite("Reliability: exact state", .serialized)
struct StatefulReliabilityTests {
    private static let buckets = 100
    /// Lines of the counter's `config:`: every record in one window, counted by bucket.
    private static let counterConfig = "  window_ms: 1000000000000000\n  buckets: \(buckets)\n"

    @Test("kill -9 the host mid-run, restart, repeat: every bucket's count is exact (0 double, 0 lost)",
          arguments: ["in_process", "process"])
    func crashLoopCountsExactly(isolation: String) async throws {
        let profile = ReliabilityProfile.current
        let run = try await ChaosRun(world: KafkaTestWorld(), agent: .statefulCounter(sidecar: Self.counterConfig),
                                     batchSize: 50, maxInFlight: 200, isolation: isolation)
        defer { run.remove() }
        let total = profile.crashLoopRecords
        let ends = try await run.produceInput(count: total)

        let killPoints = (0..<profile.crashes).map { _ in Int.random(in: total / 10...total * 8 / 10) }.sorted()
        var host = try run.startHost()
        defer { host.signal(SIGKILL) }
        for (index, point) in killPoints.enumerated() {
            try await eventually(timeout: .seconds(180), "crash \(index + 1): \(point) records finished") {
                guard host.isRunning else { throw HarnessError("sluice exited before crash \(index + 1):\n\(host.logTail())") }
                return try await run.ledger().distinct >= point
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0..<300)))
            await host.kill()
            host = try run.startHost()
        }
        try await run.waitAllFinished(ends, by: host, timeout: .seconds(600))
        try await eventually(timeout: .seconds(60), "every offset committed") { try await run.committed() == ends }
        #expect(try await host.terminateWhenServing() == 0, "the last host stopped gracefully")

        let counts = try await changelogCounts(run)
        let expected = expectedCounts(total: total)
        let doubled = expected.filter { (counts[$0.key] ?? 0) > $0.value }
        let lost = expected.filter { (counts[$0.key] ?? 0) < $0.value }
        print("exact state after \(profile.crashes) kill -9 (\(profile)): \(total) records in \(expected.count) buckets; "
              + "buckets counted twice \(doubled.count), buckets short \(lost.count)")
        #expect(counts == expected)
    }

    @Test("a second host joins (partitions move and are restored there) and leaves (they come back): counts exact",
          arguments: ["in_process", "process"])
    func partitionsMoveCountsExactly(isolation: String) async throws {
        let run = try await ChaosRun(world: KafkaTestWorld(), agent: .statefulCounter(sidecar: Self.counterConfig),
                                     batchSize: 50, maxInFlight: 200, isolation: isolation)
        defer { run.remove() }
        let total = ReliabilityProfile.current.crashLoopRecords
        let firstHalf = try await run.produceInput(count: total / 2)
        let first = try run.startHost()
        defer { first.signal(SIGKILL) }
        try await run.waitAllFinished(firstHalf, by: first, timeout: .seconds(300))

        // The peer has its own data directory: whatever it takes over, it restores from the changelogs.
        let peerData = try TemporaryDirectory(prefix: "sluice-state-peer")
        defer { peerData.remove() }
        let peer = try SluiceProcess(configuration: run.configurationFile, logFile: peerData.file("peer.log"),
                                     environment: ["SLUICE_DATA_DIRECTORY": peerData.file("data")])
        defer { peer.signal(SIGKILL) }
        do {
            try await eventually(timeout: .seconds(120), "the peer restores the partitions it takes over") {
                guard peer.isRunning else { throw HarnessError("the peer exited:\n\(peer.logTail())") }
                return peer.logTail(10_000_000).contains("state restored from the changelogs")
            }
        } catch {
            throw HarnessError("\(error)\nthe peer's log ends:\n\(peer.logTail(4000))")
        }
        // Records arrive while the peer owns its share of the partitions: it writes to their changelogs.
        _ = try await run.produceInput(count: total / 2)
        let ends = try await run.world.endOffsets(run.input, expected: total)
        // The peer itself must have written some of it (the first host alone
        // can reach three quarters with its own share), or it would hand back
        // nothing to restore.
        let peerPort = try await peer.adminPort()
        try await eventually(timeout: .seconds(120), "most of the second half finished, some of it by the peer") {
            let byPeer = try await peer.agentCounter("processed", agent: "stateful-counter", adminPort: peerPort)
            let finished = try await run.ledger().distinct
            return byPeer > 0 && finished >= total * 3 / 4
        }
        // The peer leaves gracefully: its partitions go back to the first host, whose local state is behind.
        #expect(try await peer.terminate() == 0)
        // Taking its partitions back, the first host catches up from the
        // changelogs what the peer wrote (even when the peer finished every
        // record, so nothing is left to consume).
        do {
            try await eventually(timeout: .seconds(120), "the first host restores the partitions it takes back") {
                first.logTail(10_000_000).contains("state restored from the changelogs")
            }
        } catch {
            throw HarnessError("\(error)\nthe first host's log ends:\n\(first.logTail(4000))")
        }
        try await run.waitAllFinished(ends, by: first, timeout: .seconds(300))
        do {
            try await eventually(timeout: .seconds(60), "every offset committed") { try await run.committed() == ends }
        } catch {
            throw HarnessError("\(error): committed \(try await run.committed().sorted { $0.key < $1.key }), ends \(ends.sorted { $0.key < $1.key })\nlog:\n\(first.logTail(6000))")
        }
        #expect(try await first.terminate() == 0)

        // Keys k0..<total/2 were produced twice.
        let once = expectedCounts(total: total / 2)
        #expect(try await changelogCounts(run) == once.mapValues { $0 * 2 })
    }

    /// Every input record counted once in its bucket (the input's keys are "k<i>").
    private func expectedCounts(total: Int) -> [String: Int] {
        var counts: [String: Int] = [:]
        for index in 0..<total {
            counts[ChangelogTable.bucket(of: "k\(index)", buckets: Self.buckets) + "@0000000000000000", default: 0] += 1
        }
        return counts
    }

    private func changelogCounts(_ run: ChaosRun) async throws -> [String: Int] {
        let transport = try run.world.transport()
        let partitions = try await run.world.partitionCount(run.input)
        let (group, input) = (run.group, run.input)
        return try await DedicatedThread.run("test-changelog-read") {
            try ChangelogTable.counts(transport: transport, group: group, topic: input, partitions: partitions)
        }
    }
}
