import Foundation
import Testing
import TestSupport

/// `sluice try`: one plugin in a real host on a private memory:// broker,
/// run as the built binary.
@Suite("sluice try")
struct TryCommandTests {
    /// Compiles the recorder fixture as agent `name` into `directory`.
    private func recorder(_ directory: TemporaryDirectory, name: String = "recorder") async throws -> String {
        try await CPluginCompiler.compile(
            sources: [RepositoryPaths.path("Tests/Fixtures/recorder.c")], output: directory.file("\(name)-built.so"),
            flags: ["-DAGENT_NAME=\"\(name)\"", "-DAGENT_VERSION=\"2.0.0\""])
    }

    private func write(_ text: String, _ name: String, in directory: TemporaryDirectory) throws -> String {
        try text.write(toFile: directory.file(name), atomically: true, encoding: .utf8)
        return directory.file(name)
    }

    private func lines(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test("prints every produced record, dead letters included, once every input is committed; runs a private copy of the file")
    func producedAndDeadLettered() async throws {
        try SluiceBinary.require()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugin = try await recorder(directory)
        let input = try write("""
            {"key":"a","value":"one"}
            {"key":"a","value":"dlq please"}
            {"key":"a","value":"three"}
            """, "input.ndjson", in: directory)
        // The records go to the agent's first topic: the sidecar's, not the plugin's ("input").
        let sidecar = try write("topics: [orders]\nconfig:\n  output: seen\n", "recorder.yaml", in: directory)
        // Built where anyone may write, as in /tmp: the trial runs a private copy.
        #expect(chmod(directory.path, 0o1777) == 0)
        let result = try await ProcessRunner.run(
            [SluiceBinary.path, "try", plugin, "--config", sidecar, "--file", input, "--log-level", "error"],
            check: false)
        #expect(result.status == 0, "\(result.output)")
        let records = try lines(result.output)
        let seen = records.filter { $0["topic"] as? String == "seen" }
        // The recorder writes "<partition>:<offset>:<value>" on the input's partition.
        #expect(seen.compactMap { ($0["value"] as? String)?.split(separator: ":").last.map(String.init) } == ["one", "three"])
        #expect(seen.allSatisfy { ($0["headers"] as? [String: String])?["recorder.version"] == "2.0.0" })
        let dead = records.filter { $0["topic"] as? String == "recorder.dlq" }
        #expect(dead.count == 1)
        #expect(dead.first?["value"] as? String == "dlq please")
        #expect((dead.first?["headers"] as? [String: String])?["sluice.error"] == "dlq requested by the record")
        #expect(records.map { $0["topic"] as? String ?? "" } == ["recorder.dlq", "seen", "seen"],
                "topics in name order, then partition and offset")
    }

    @Test("records that are never finished: exit 1 with what was committed, after --timeout")
    func unfinished() async throws {
        try SluiceBinary.require()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugin = try await recorder(directory)
        let input = try write(#"{"key":"a","value":"poison"}"# + "\n", "input.ndjson", in: directory)
        // Retries without end: the pause policy holds the partition.
        let sidecar = try write("retry:\n  max_attempts: 2\n  initial_backoff: 1ms\n  max_backoff: 1ms\non_exhausted: pause\n",
                                "recorder.yaml", in: directory)
        let result = try await ProcessRunner.run(
            [SluiceBinary.path, "try", plugin, "--config", sidecar, "--file", input, "--timeout", "2", "--log-level", "critical"],
            check: false)
        #expect(result.status == 1)
        #expect(result.output.contains("sluice try: not every record was finished within 2.0 seconds: committed input["))
        #expect(result.output.contains("at 0 of 1"))
    }

    @Test("a FATAL batch: exit 1 naming the agent's failure")
    func failedAgent() async throws {
        try SluiceBinary.require()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugin = try await recorder(directory)
        let result = try await ProcessRunner.run(
            [SluiceBinary.path, "try", plugin, "--file", "-", "--log-level", "critical"],
            stdin: #"{"value":"fatal now"}"# + "\n", check: false)
        #expect(result.status == 1)
        #expect(result.output.contains("sluice try: agent recorder failed: "))
    }

    @Test("a refused plugin file, a bad sidecar and bad input: exit 2 with the reason")
    func refusals() async throws {
        try SluiceBinary.require()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let text = try write("not a plugin", "text.so", in: directory)
        let notPlugin = try await ProcessRunner.run([SluiceBinary.path, "try", text], stdin: "", check: false)
        #expect(notPlugin.status == 2)
        #expect(notPlugin.output.contains("sluice try: \(text) refused: not an ELF file"))

        let plugin = try await recorder(directory)
        let badSidecar = try write("retry:\n  max_attempt: 2\n", "bad.yaml", in: directory)
        let refused = try await ProcessRunner.run(
            [SluiceBinary.path, "try", plugin, "--config", badSidecar, "--log-level", "critical"], stdin: "", check: false)
        #expect(refused.status == 2)
        #expect(refused.output.contains("sluice try: \(badSidecar): retry.max_attempt: expected one of "), "\(refused.output)")
        #expect(refused.output.contains("(did you mean \"max_attempts\"?)"))

        let badInput = try await ProcessRunner.run(
            [SluiceBinary.path, "try", plugin, "--log-level", "critical"], stdin: "{not json\n", check: false)
        #expect(badInput.status == 2)
        #expect(badInput.output.contains("sluice try: stdin: "), "\(badInput.output)")
    }
}
