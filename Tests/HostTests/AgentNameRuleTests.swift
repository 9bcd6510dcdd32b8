import Foundation
import SluiceHost
import Testing
import TestSupport

/// A plugin's name is its file's name (`NAME.so` declares `NAME` and, alone, runs agent `NAME`):
/// a second file claiming an agent is refused as a conflict, at start and
/// while the host runs alike, and can never take the agent over.
@Suite("Agent names are file names")
struct AgentNameRuleTests {
    /// Compiles the recorder declaring agent `agent` into `file` (a base name) the drop-in way.
    private func installRecorder(declaring agent: String, as file: String, in harness: HostHarness,
                                 version: String = "6.6.6") async throws {
        let staged = harness.pluginsDirectory + "/.\(file).so.tmp"
        try await CPluginCompiler.compile(
            sources: [RepositoryPaths.path("Tests/Fixtures/recorder.c")], output: staged,
            flags: ["-DAGENT_NAME=\"\(agent)\"", "-DAGENT_VERSION=\"\(version)\""])
        guard rename(staged, harness.pluginsDirectory + "/\(file).so") == 0 else {
            throw HarnessError("renaming \(staged) into the plugins directory failed: errno \(errno)")
        }
    }

    @Test("at start, a file that sorts first and claims another file's agent is refused; the rightful file runs the agent")
    func impostorAtStart() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder(name: "recorder", version: "1.0.0")
        try await installRecorder(declaring: "recorder", as: "a-impostor", in: harness)
        try await harness.withRuntime { runtime in
            let agent = try #require(runtime.agents.first { $0.name == "recorder" })
            #expect(agent.version == "1.0.0")
            #expect(runtime.agent("recorder")?.image.sourcePath.hasSuffix("/recorder.so") == true)
            let refusal = try #require(runtime.refusals.first)
            #expect(runtime.refusals.count == 1)
            #expect(refusal.file.hasSuffix("/a-impostor.so"))
            #expect(refusal.reason == .duplicateName)
            #expect(refusal.description.contains("two files claim plugin \"recorder\""), "\(refusal)")
            #expect(refusal.description.contains("/recorder.so"), "\(refusal)")
            let when = try #require(runtime.refusedFiles.first?.at)
            #expect(abs(when.timeIntervalSinceNow) < 120)
        }
    }

    @Test("while running, a dropped-in impostor is refused as a conflict, not as the agent's failed upgrade; removing it clears the refusal and reload works")
    func impostorWhileRunning() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder(name: "recorder", version: "1.0.0")
        try await harness.withRuntime { runtime in
            try await installRecorder(declaring: "recorder", as: "impostor", in: harness)
            try await eventually("the impostor is refused") { !runtime.refusals.isEmpty }
            let refusal = try #require(runtime.refusals.first)
            #expect(refusal.file.hasSuffix("/impostor.so"))
            #expect(refusal.reason == .duplicateName)
            #expect(refusal.detail.contains("\"recorder\"") && refusal.detail.contains("/recorder.so"), "\(refusal)")
            // The refusal is the impostor's file's, never the running agent's reload.
            let event = try #require(runtime.reloadEvents.last)
            #expect(event.agent == "impostor")
            #expect(!runtime.reloadEvents.contains { $0.agent == "recorder" })
            #expect(runtime.agents.map(\.version) == ["1.0.0"])

            try FileManager.default.removeItem(atPath: harness.pluginsDirectory + "/impostor.so")
            try await eventually("the impostor's refusal is cleared") { runtime.refusals.isEmpty }
            let reload = try await runtime.reload(agent: "recorder")
            #expect(reload.outcome == .unchanged)
            #expect(runtime.agents.map(\.name) == ["recorder"])
        }
    }

    @Test("a file whose name is not its agent's is refused with the file name it needs, at start and when dropped in")
    func misnamedFile() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await installRecorder(declaring: "recorder", as: "librecorder", in: harness)
        try await harness.withRuntime { runtime in
            #expect(runtime.agents.isEmpty)
            let refusal = try #require(runtime.refusals.first)
            #expect(refusal.reason == .invalidName)
            #expect(refusal.description.contains("declares plugin \"recorder\" but is named librecorder.so"), "\(refusal)")
            #expect(refusal.description.contains("expected recorder.so"), "\(refusal)")

            try await installRecorder(declaring: "other", as: "misnamed", in: harness)
            try await eventually("the dropped-in file is refused too") { runtime.refusals.count == 2 }
            #expect(runtime.refusals.last?.description.contains("expected other.so") == true, "\(runtime.refusals)")
            #expect(runtime.agents.isEmpty)
        }
    }
}
