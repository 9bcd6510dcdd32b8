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
        try await expectMakeTestPasses(project, name: "copy-agent")
    }

    /// The scaffold's own test (`make test`: the plugin in a real host through
    /// `sluice try`) passes as generated, and fails once the expectation is wrong.
    private func expectMakeTestPasses(_ project: String, name: String) async throws {
        let passed = try await ProcessRunner.run(["make", "test"], currentDirectory: project, check: false)
        #expect(passed.status == 0, "\(passed.output)")
        #expect(passed.output.contains("test passed: \(name) produced what test/expected.ndjson says"))
        let expected = project + "/test/expected.ndjson"
        let text = try String(contentsOfFile: expected, encoding: .utf8)
        try text.replacingOccurrences(of: "\(name).out", with: "elsewhere").write(toFile: expected, atomically: true, encoding: .utf8)
        let failed = try await ProcessRunner.run(["make", "test"], currentDirectory: project, check: false)
        #expect(failed.status != 0)
        #expect(failed.output.contains("+{\"headers\":{},\"key\":\"k1\""), "\(failed.output)")
    }

    @Test("Swift: swift build -c release builds a plugin the host loads, against the SDK package alone")
    func swiftPlugin() async throws {
        try SluiceBinary.require()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let project = try await scaffold("shout", lang: "swift", in: directory)
        try await ProcessRunner.run(["swift", "build", "-c", "release"], currentDirectory: project)
        try await runInHost(project + "/.build/release/libShout.so", name: "shout", expect: ["HELLO", "SLUICE"])
        // The SDK package has no dependencies: nothing of the host's was resolved or checked out.
        let checkouts = (try? FileManager.default.contentsOfDirectory(atPath: project + "/.build/checkouts")) ?? []
        #expect(checkouts.isEmpty, "checked out: \(checkouts)")
        let resolved = (try? String(contentsOfFile: project + "/Package.resolved", encoding: .utf8)) ?? ""
        #expect(!resolved.contains("\"identity\""), "\(resolved)")
        try await expectMakeTestPasses(project, name: "shout")
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
