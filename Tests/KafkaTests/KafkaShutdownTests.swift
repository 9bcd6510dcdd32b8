import Foundation
import SluiceHost
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Shutting down while the broker does not answer.
@Suite("Kafka shutdown", .serialized, .timeLimit(.minutes(3)))
struct KafkaShutdownTests {
    @Test("SIGTERM while the broker is stopped (SIGSTOP): the host still exits, with status 0, bounded by its own deadlines")
    func shutdownWithBrokerStopped() async throws {
        let brokerPID = try #require(Int32(try TestServices.value("SLUICE_SERVICES_KAFKA_PID")))
        let world = try KafkaTestWorld()
        var host = try KafkaHost(world: world)
        defer { host.remove() }
        // Short deadlines: drain 2 s, then each broker request (commit, leave) 2 s.
        host.harness.configuration.kafka["sluice.request.timeout.ms"] = "2000"
        let (_, output, sidecar, _, _) = try host.installRecorderPipeline(
            records: 3000, sidecarSettings: KafkaHost.throttledSidecarSettings)

        let (peer, directory) = try host.startPeer(sidecar: sidecar, shutdownTimeout: .seconds(2))
        defer { directory.remove() }
        defer { peer.kill() }
        let reader = try TopicReader(world: world, topic: output)
        try await eventually(timeout: .seconds(60), "the host is handling records") { reader.count >= 100 }

        kill(brokerPID, SIGSTOP)
        let clock = ContinuousClock()
        let status: Int32
        let exited: Duration
        do {
            // Always continue the broker, whatever happens here: other tests share it.
            defer { kill(brokerPID, SIGCONT) }
            try await Task.sleep(for: .seconds(1))
            let sent = clock.now
            // Liveness, not timing: far beyond drain (2 s) + commit (2 s) + leave (2 s) + flush (2 s).
            status = try await peer.terminate(timeout: .seconds(60))
            exited = clock.now - sent
        }
        print("shutdown with the broker stopped: exited \(status) after \(exited)")
        #expect(status == 0, "log:\n\(peer.logTail())")
    }
}
