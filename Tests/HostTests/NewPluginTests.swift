import Foundation
import SluiceHost
import Testing
import TestSupport

/// `sluice new-plugin` scaffolds projects that build with the documented
/// commands and load into a running host.
@Suite("sluice new-plugin", .serialized)
struct NewPluginTests {
    private func scaffold(_ name: String, lang: String, in directory: TemporaryDirectory) async throws -> String {
        let project = directory.file(name)
        let result = try await ProcessRunner.run([SluiceBinary.path, "new-plugin", name, "--lang", lang,
                                            "--output", project, "--sluice", RepositoryPaths.root])
        #expect(result.output.contains("created \(lang) plugin '\(name)'"))
        return project
    }

    /// Loads `file` into a host, sends two records to NAME.in, expects them on NAME.out.
    private func runInHost(_ file: String, name: String, expect: [String]) async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try FileManager.default.copyItem(atPath: file, toPath: harness.pluginsDirectory + "/\(name).so")
        try await harness.withRuntime { runtime in
            for value in [#"{"text":"hello"}"#, #"{"text":"sluice"}"#] {
                harness.broker.append(OutgoingRecord(topic: "\(name).in", key: Array("k".utf8), value: Array(value.utf8)))
            }
            try await eventually("output") { harness.count("\(name).out") == 2 }
        }
        #expect(harness.records("\(name).out").compactMap(\.record.valueText) == expect)
    }

    @Test("C: make builds a plugin the host loads")
    func cPlugin() async throws {
        try SluiceBinary.require()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let project = try await scaffold("copy-agent", lang: "c", in: directory)
        try await ProcessRunner.run(["make"], currentDirectory: project)
        try await runInHost(project + "/copy-agent.so", name: "copy-agent",
                            expect: [#"{"text":"hello"}"#, #"{"text":"sluice"}"#])
    }

    @Test("Swift: swift build -c release builds a plugin the host loads")
    func swiftPlugin() async throws {
        try SluiceBinary.require()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let project = try await scaffold("shout", lang: "swift", in: directory)
        try await ProcessRunner.run(["swift", "build", "-c", "release"], currentDirectory: project)
        try await runInHost(project + "/.build/release/libShout.so", name: "shout", expect: ["HELLO", "SLUICE"])
    }

    @Test("refuses a bad name and an existing directory")
    func refusals() async throws {
        try SluiceBinary.require()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bad = try await ProcessRunner.run([SluiceBinary.path, "new-plugin", "Bad Name", "--output", directory.file("x")], check: false)
        #expect(bad.status != 0)
        #expect(bad.output.contains("expected 1-64 characters from [a-z0-9_-]"))
        let existing = try await ProcessRunner.run([SluiceBinary.path, "new-plugin", "ok", "--output", directory.path], check: false)
        #expect(existing.status != 0)
        #expect(existing.output.contains("already exists"))
    }
}
