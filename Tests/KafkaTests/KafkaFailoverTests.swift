import Foundation
import SluiceHost
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Hosts and brokers going away: the "Done when" items 3 and 5.
@Suite("Kafka failover", .serialized, .timeLimit(.minutes(3)))
struct KafkaFailoverTests {
    @Test("3. scale out: two hosts split the partitions; kill -9 one mid-stream; the survivor handles every record")
    func scaleOutAndKill() async throws {
        var host = try KafkaHost()
        let world = host.world
        defer { host.remove() }
        host.throttle()  // slow enough that the kill lands mid-stream
        let (input, output, sidecar, seeding, _) = try await host.installRecorderPipeline(
            records: 0, sidecarSettings: KafkaHost.throttledSidecarSettings)

        // The second host: `sluice run` in its own process, same group, same plugin.
        let (peer, other) = try host.startPeer(sidecar: sidecar)
        defer { other.remove() }
        defer { peer.signal(SIGKILL) }

        let ends = try await host.withRuntime { runtime in
            try await eventually(timeout: .seconds(60), "the two hosts split the 4 partitions") {
                runtime.agents.first?.partitions.count == 2
            }
            let mine = Set(runtime.agents.first?.partitions.map(\.partition) ?? [])

            let total = 4000
            try await world.produce(input, count: total, through: seeding)
            let ends = try await world.endOffsets(input, expected: total)
            // Both hosts are handling records, then the peer dies without a word.
            let reader = try await host.reader(output)
            try await eventually(timeout: .seconds(60), "both hosts recording") {
                _ = await reader.count
                let recorded = RecordingLedger(reader.records)
                let partitions = Set(recorded.handled.keys.map(\.partition))
                return partitions.count == 4 && recorded.handled.count >= 400
            }
            await peer.kill()
            let atKill = await reader.count

            try await eventually(timeout: .seconds(120), "the survivor finishes every partition") {
                _ = await reader.count
                return RecordingLedger(reader.records).missing(ends: ends) == 0
            }
            #expect(runtime.agents.first?.partitions.count == 4, "the survivor took over the dead host's partitions")
            let recorded = RecordingLedger(reader.records)
            let peerPartitions = Set(ends.keys).subtracting(mine)
            print("scale-out: killed the peer after \(atKill) of \(total) records; duplicates: \(recorded.duplicates) "
                  + "(peer partitions \(peerPartitions.sorted()), in-flight limit 10 per host, commit interval 200 ms)")
            #expect(recorded.missing(ends: ends) == 0)
            // Only the dead host's records since its last commit come round again:
            // at most what it had in flight plus one commit interval's worth.
            #expect(recorded.duplicates <= 500, "duplicates \(recorded.duplicates)")
            return ends
        }
        #expect(try await world.committed(group: host.group(of: "recorder"), topic: input) == ends)
    }

    @Test("5. broker stopped (SIGSTOP) for 10 s, then continued: the host survives and nothing is lost")
    func brokerPause() async throws {
        // A private broker: freezing the shared one would stall every test running beside this one.
        let broker = try await KafkaTestBroker()
        defer { broker.stop() }
        let world = KafkaTestWorld(bootstrap: broker.bootstrap)
        var host = try KafkaHost(world: world)
        defer { host.remove() }
        host.throttle()
        let total = 3000
        let (_, output, _, _, ends) = try await host.installRecorderPipeline(records: total)

        try await host.withRuntime { runtime in
            let reader = try await host.reader(output)
            try await reader.waitForRecords(atLeast: 200, "a first share recorded")

            broker.pause()
            var sawUnreachable = false
            do {
                // Always continue the broker, whatever happens here.
                defer { broker.resume() }
                let clock = ContinuousClock()
                let resumeAt = clock.now + .seconds(10)
                while clock.now < resumeAt {
                    if !runtime.transport.isReachable { sawUnreachable = true }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(sawUnreachable, "the transport reported the stopped broker as unreachable")
            try await eventually(timeout: .seconds(120), "every record handled after the broker came back") {
                _ = await reader.count
                return RecordingLedger(reader.records).missing(ends: ends) == 0
            }
            try await eventually(timeout: .seconds(10), "reachable again") { runtime.transport.isReachable }
            #expect(runtime.agents.first.map { if case .failed = $0.state { false } else { true } } == true)
            let recorded = RecordingLedger(reader.records)
            print("broker pause: duplicates after SIGSTOP/SIGCONT: \(recorded.duplicates)")
            #expect(recorded.missing(ends: ends) == 0)
        }
    }
}
