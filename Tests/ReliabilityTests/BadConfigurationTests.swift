import Foundation
import SluiceHost
import Testing
import TestSupport

/// Reliability: broken sluice.yaml and sidecar files given to the real
/// `sluice run`. Each must stop the start before any agent runs, exit non-zero
/// and print one line naming the file (or variable), the key and what was
/// expected. The exact wording of every message is pinned in
/// Tests/ConfigurationTests/ErrorMessageTests; this table proves the binary
/// fails fast with them.
@Suite("Bad configuration", .serialized, .timeLimit(.minutes(5)))
struct BadConfigurationTests {
    /// One broken setup and what the operator must read.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// sluice.yaml's text (nil: no file); `PLUGINS` and `DATA` stand for the directories.
        var hostFile: String? = nil
        /// The recorder's sidecar text (nil: none).
        var sidecar: String? = nil
        /// The sidecar path is a directory, so it cannot be read.
        var sidecarIsDirectory = false
        /// `--config` names a directory instead of a file.
        var configIsDirectory = false
        var environment: [String: String] = [:]
        var arguments: [String] = []
        /// The exit status: 2 for the host's configuration (refused before start), 1 for a sidecar (refused at start).
        var status: Int32 = 2
        /// Fragments the output must contain; `CONFIG` and `SIDECAR` stand for the paths.
        let expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown key in sluice.yaml", hostFile: "wokers: 2\n",
             expected: ["CONFIG: wokers: expected one of", #"found unknown key "wokers" (did you mean "workers"?)"#]),
        Case(name: "wrong type in sluice.yaml", hostFile: "workers: many\n",
             expected: [#"CONFIG: workers: expected an integer from 1 to 1024, found "many""#]),
        Case(name: "missing required value in sluice.yaml", hostFile: "plugins_directory:\n",
             expected: ["CONFIG: plugins_directory: expected a non-empty path, found null"]),
        Case(name: "bad broker URL in sluice.yaml", hostFile: "broker: kafka://broker-without-port\n",
             expected: [#"CONFIG: broker: expected a port after the host (kafka://broker-without-port:9092), found "kafka://broker-without-port""#]),
        Case(name: "invalid YAML in sluice.yaml", hostFile: "group: [unclosed\n",
             expected: ["CONFIG: expected valid YAML, found while parsing a flow sequence"]),
        Case(name: "nested unknown key in sluice.yaml", hostFile: "defaults:\n  retry:\n    max_attemps: 3\n",
             expected: [#"CONFIG: defaults.retry.max_attemps: expected one of"#, #"(did you mean "max_attempts"?)"#]),
        Case(name: "unreadable sluice.yaml (a directory)", configIsDirectory: true,
             expected: ["CONFIG: expected a readable file, found an OS error: Is a directory"]),
        Case(name: "missing sluice.yaml", arguments: ["--config", "/nonexistent/sluice.yaml"],
             expected: ["/nonexistent/sluice.yaml: expected a readable file, found an OS error: No such file or directory"]),
        Case(name: "bad environment variable", environment: ["SLUICE_WORKERS": "-3"],
             expected: [#"SLUICE_WORKERS: expected an integer from 1 to 1024, found "-3""#]),
        Case(name: "bad --broker flag", arguments: ["--broker", "redis://localhost:6379"],
             expected: ["broker: expected memory:// or kafka://host:port", #"found "redis://localhost:6379""#]),
        Case(name: "unknown key in a sidecar", sidecar: "batchSize: 10\n", status: 1,
             expected: [#"SIDECAR: batchSize: expected one of batch_size"#, #"(did you mean "batch_size"?)"#]),
        Case(name: "wrong type in a sidecar", sidecar: "retry:\n  max_attempts: often\n", status: 1,
             expected: [#"SIDECAR: retry.max_attempts: expected a positive integer, found "often""#]),
        Case(name: "missing required value in a sidecar", sidecar: "topics: []\n", status: 1,
             expected: ["SIDECAR: topics: expected at least one topic (or null for the plugin's default topics), found an empty list"]),
        Case(name: "sidecar that is not a mapping", sidecar: "- batch_size\n", status: 1,
             expected: ["SIDECAR: expected a mapping of key: value, found a list"]),
        Case(name: "unreadable sidecar (a directory)", sidecarIsDirectory: true, status: 1,
             expected: ["SIDECAR: expected a readable file, found an OS error: Is a directory"]),
    ]

    @Test("sluice run refuses it fast, names file, key and expectation, exits non-zero, starts no agent", arguments: cases)
    func refused(_ mistake: Case) async throws {
        try SluiceBinary.require()
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        // "alpha" sorts before "recorder": a host that started agents before reading
        // every sidecar would start it, and the output would say "agent started".
        try await harness.installRecorder(name: "alpha", sidecar: "config:\n  output: alpha-out\n")
        try await harness.installRecorder()
        let sidecar = harness.pluginsDirectory + "/recorder.yaml"
        if let text = mistake.sidecar { try harness.writeSidecar("recorder", text) }
        if mistake.sidecarIsDirectory { try FileManager.default.createDirectory(atPath: sidecar, withIntermediateDirectories: false) }
        var arguments = [SluiceBinary.path, "run", "--plugins", harness.pluginsDirectory, "--broker", "memory://"]
        let config = harness.directory.file("sluice.yaml")
        if let text = mistake.hostFile {
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            arguments = [SluiceBinary.path, "run", "--config", config]
            if !text.contains("plugins_directory") { arguments += ["--plugins", harness.pluginsDirectory] }
        }
        if mistake.configIsDirectory {
            try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: false)
            arguments = [SluiceBinary.path, "run", "--config", config, "--plugins", harness.pluginsDirectory]
        }
        arguments += mistake.arguments
        let environment = ["SLUICE_ADMIN_PORT": "0", "SLUICE_DATA_DIRECTORY": harness.directory.file("data"),
                           "SLUICE_LOG_LEVEL": "info"].merging(mistake.environment) { $1 }
        // A host that accepted the mistake would run until stopped: the timeout catches that, it is not a speed limit.
        let result = try await ProcessRunner.run(arguments, environment: environment, check: false, timeout: .seconds(60))
        #expect(!result.timedOut, "the host kept running instead of refusing the configuration:\n\(result.output)")
        #expect(result.status == mistake.status, "exit status \(result.status):\n\(result.output)")
        for fragment in mistake.expected {
            let text = fragment.replacingOccurrences(of: "CONFIG", with: config).replacingOccurrences(of: "SIDECAR", with: sidecar)
            #expect(result.output.contains(text), "missing \"\(text)\" in:\n\(result.output)")
        }
        #expect(!result.output.contains("agent started"), "an agent ran before the refusal:\n\(result.output)")
    }

    @Test("one broken sidecar among good plugins: no agent starts, nothing is handled or committed")
    func brokenSidecarBesideGoodPlugins() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        // Plugins start in name order: "alpha" would run before "beta"'s sidecar is read.
        try await harness.installRecorder(name: "alpha", sidecar: "topics: [input]\nconfig:\n  output: alpha-out\n")
        try await harness.installRecorder(name: "beta", sidecar: "topics: [input]\nbatch_size: lots\n")
        harness.produce("input", count: 1000)
        let runtime = try harness.makeRuntime()
        let error = await #expect(throws: SluiceRuntime.StartError.self) { try await runtime.start() }
        #expect(error?.description.contains("beta.yaml: batch_size: expected an integer") == true, "\(String(describing: error))")
        try await Task.sleep(for: .milliseconds(300))  // time for a wrongly started agent to show itself
        #expect(harness.count("alpha-out") == 0, "an agent handled records although the start was refused")
        #expect(harness.broker.committed(group: "sluice.alpha").isEmpty, "offsets were committed although the start was refused")
        #expect(runtime.agents.isEmpty)
    }
}
