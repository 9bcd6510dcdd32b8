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
        // A private broker: freezing the shared one would stall every test running beside this one.
        let broker = try await KafkaTestBroker()
        defer { broker.stop() }
        let world = KafkaTestWorld(bootstrap: broker.bootstrap)
        var host = try KafkaHost(world: world)
        defer { host.remove() }
        // Short deadlines: drain 2 s, then each broker request (commit, leave) 2 s.
        host.harness.configuration.kafka["sluice.request.timeout.ms"] = "2000"
        let (_, output, sidecar, _, _) = try await host.installRecorderPipeline(
            records: 3000, sidecarSettings: KafkaHost.throttledSidecarSettings)

        let (peer, directory) = try host.startPeer(sidecar: sidecar, shutdownTimeout: .seconds(2))
        defer { directory.remove() }
        defer { peer.signal(SIGKILL) }
        let reader = try await host.reader(output)
        try await reader.waitForRecords(atLeast: 100, "the host is handling records")

        broker.pause()
        let clock = ContinuousClock()
        let status: Int32
        let exited: Duration
        do {
            // Always continue the broker, whatever happens here.
            defer { broker.resume() }
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
