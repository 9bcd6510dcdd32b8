import Foundation
import SluiceHost
import Testing
import TestSupport

/// The trust checks on a running host: at start, at every reload, and with
/// files that could hang a reader (FIFOs) in the plugins directory.
@Suite("Plugin directory trust on a running host", .timeLimit(.minutes(3)))
struct HostTrustTests {
    /// The last reload event of `base`'s file.
    private func lastEvent(_ runtime: SluiceRuntime, _ harness: HostHarness, _ base: String) -> ReloadEvent? {
        runtime.reloadEvents.last { $0.file == harness.pluginsDirectory + "/\(base).so" }
    }

    private func refusedReason(_ event: ReloadEvent?) -> String? {
        if case .refused(let reason) = event?.outcome { return reason }
        return nil
    }

    @Test("permissions made unsafe after start: refused on the next reload, the running version kept")
    func permissionsChangedAfterStart() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        let path = try await harness.installRecorder(name: "recorder", version: "1")
        try await harness.withRuntime { runtime in
            let before = try #require(runtime.agent("recorder"))
            // chmod is seen by the watcher: the reload it starts is refused.
            try LoaderFixtures.setMode(0o664, path)
            try await eventually("the group-writable file is refused") {
                refusedReason(lastEvent(runtime, harness, "recorder"))?.contains("group-writable (mode 0664") == true
            }
            #expect(runtime.agent("recorder") === before)
            #expect(runtime.agent("recorder")?.status.state == .running)
            // An operator's reload is refused too, and names the file.
            await #expect(throws: RuntimeControlError.self) { try await runtime.reload(agent: "recorder") }

            try LoaderFixtures.setMode(0o644, path)
            try LoaderFixtures.setMode(0o775, harness.pluginsDirectory)
            let refusal = await #expect(throws: RuntimeControlError.self) { try await runtime.reload(agent: "recorder") }
            #expect("\(refusal.map { "\($0)" } ?? "")".contains("plugins directory \(harness.pluginsDirectory) is group-writable"))
            #expect(runtime.agent("recorder") === before)

            try LoaderFixtures.setMode(0o755, harness.pluginsDirectory)
            try await runtime.reload(agent: "recorder")
            #expect(runtime.agent("recorder")?.status.state == .running)
        }
    }

    @Test("a FIFO sidecar at start refuses its plugin; the others run and the host stops on request")
    func fifoSidecarAtStart() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        let blocked = try await harness.installRecorder(name: "blocked")
        try await harness.installRecorder(name: "steady")
        try TrustFixtures.makeFIFO(harness.pluginsDirectory + "/blocked.yaml")
        try TrustFixtures.makeFIFO(harness.pluginsDirectory + "/lonely.yaml")
        try await harness.withRuntime { runtime in
            #expect(runtime.agents.map(\.name) == ["steady"])
            let refusal = try #require(runtime.refusals.first)
            #expect(runtime.refusals.count == 1)
            #expect(refusal.file == blocked)
            #expect(refusal.detail.contains("not a regular file (a FIFO)"))
        }
    }

    @Test("a FIFO sidecar dropped in while the host runs is refused, the running version kept")
    func fifoSidecarAtRunTime() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder(name: "recorder")
        try await harness.withRuntime { runtime in
            let before = try #require(runtime.agent("recorder"))
            try TrustFixtures.makeFIFO(harness.pluginsDirectory + "/recorder.yaml")
            try TrustFixtures.makeFIFO(harness.pluginsDirectory + "/lonely.yaml")
            try await eventually("the FIFO sidecar is refused") {
                refusedReason(lastEvent(runtime, harness, "recorder"))?.contains("not a regular file (a FIFO)") == true
            }
            #expect(runtime.agent("recorder") === before)
            #expect(runtime.agent("recorder")?.status.state == .running)
        }
    }

    @Test("sluice run with FIFO sidecars at start and dropped in stops on SIGTERM")
    func fifoSidecarSigterm() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder(name: "blocked")
        try await harness.installRecorder(name: "steady")
        try TrustFixtures.makeFIFO(harness.pluginsDirectory + "/blocked.yaml")
        let configuration = harness.directory.file("sluice.yaml")
        try """
            broker: memory://
            plugins_directory: \(harness.pluginsDirectory)
            data_directory: \(harness.directory.file("data"))
            admin:
              port: 0

            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let process = try SluiceProcess(configuration: configuration, logFile: harness.directory.file("sluice.log"))
        _ = try await process.adminPort()
        try await eventually("the host has started") { process.log.contains("host started") }
        try TrustFixtures.makeFIFO(harness.pluginsDirectory + "/steady.yaml")
        try await eventually("the dropped-in FIFO is refused") {
            process.log.contains("steady.yaml: not a regular file (a FIFO)")
        }
        let status = try await process.terminate(timeout: .seconds(30))
        #expect(status == 0, "\(process.logTail())")
        #expect(process.log.contains("blocked.yaml: not a regular file (a FIFO)"))
    }
}
