import CSluicePlugin
import Foundation
import SluiceHost
import Testing
import TestSupport

/// The ABI 1.2 descriptor members: tables, on_timer and the _v2 entry points
/// with their context, as the loader validates them and the host calls them.
@Suite("ABI 1.2 descriptors: tables, timers and the _v2 entry points")
struct StatefulDescriptorTests {
    /// Every table name from a -DTABLES list, quoted for the C preprocessor.
    static func tablesFlag(_ names: [String]) -> String {
        "-DTABLES=" + names.map { "\"\($0)\"" }.joined(separator: ",")
    }

    @Test("declared tables and on_timer are read into the image")
    func goodTables() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("stateful.so", in: directory,
                                                   flags: [Self.tablesFlag(["counts", "windows_10s", "a", "x9_"]), "-DON_TIMER"])
        let image = try LoaderFixtures.loader(directory).load(file: path)
        #expect(image.tables == ["counts", "windows_10s", "a", "x9_"])
        #expect(image.handlesTimers)
        #expect(image.isStateful)
    }

    @Test("64 tables of 64 characters each are the most the loader takes")
    func tableLimits() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let names = (0..<64).map { index in
            let suffix = "_\(index)"
            return String(repeating: "t", count: 64 - suffix.count) + suffix
        }
        let path = try await LoaderFixtures.plugin("many.so", in: directory, flags: [Self.tablesFlag(names)])
        let image = try LoaderFixtures.loader(directory).load(file: path)
        #expect(image.tables == names)
        #expect(!image.handlesTimers)
    }

    /// A fixture declaring `tables` and the one line its load is refused with.
    struct TableRefusal: CustomTestStringConvertible, Sendable {
        let name: String
        let tables: [String]
        let reason: PluginRefusal.Reason
        /// What follows "<path> refused: ".
        let message: String
        var testDescription: String { name }
    }

    static let expected = "expected 1-64 characters from [a-z0-9_]"
    static let tableRefusals: [TableRefusal] = [
        TableRefusal(name: "an upper-case letter", tables: ["counts", "Totals"], reason: .invalidTableName,
                     message: "invalid table name \"Totals\" (\(expected))"),
        TableRefusal(name: "a dash", tables: ["per-key"], reason: .invalidTableName,
                     message: "invalid table name \"per-key\" (\(expected))"),
        TableRefusal(name: "an empty name", tables: [""], reason: .invalidTableName,
                     message: "invalid table name \"\" (\(expected))"),
        TableRefusal(name: "a name over 64 bytes", tables: [String(repeating: "t", count: 65)], reason: .invalidTableName,
                     message: "invalid table name \"\(String(repeating: "t", count: 64))\"... (over 64 bytes) (\(expected))"),
        TableRefusal(name: "a name starting with __, the host's", tables: ["counts", "__offsets"], reason: .invalidTableName,
                     message: "invalid table name \"__offsets\": names starting with \"__\" are reserved for the host "
                        + "(expected 1-64 characters from [a-z0-9_], not starting with \"__\")"),
        TableRefusal(name: "the same table twice", tables: ["counts", "windows", "counts"], reason: .duplicateTable,
                     message: "table \"counts\" is declared twice (expected each table once)"),
        TableRefusal(name: "65 tables", tables: (0...64).map { "t\($0)" }, reason: .tooManyTables,
                     message: "more than 64 tables declared (expected at most 64 tables)"),
    ]

    @Test("a table breaking a rule refuses the plugin with a line naming the table and the rule", arguments: tableRefusals)
    func badTable(_ expected: TableRefusal) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("refused.so", in: directory, flags: [Self.tablesFlag(expected.tables)])
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        #expect(refusal.reason == expected.reason)
        #expect(refusal.description == "\(path) refused: \(expected.message)")
    }

    @Test("a descriptor with only create_v2 (create NULL) loads")
    func createV2Only() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("v2.so", in: directory, flags: ["-DV2_ENTRY_POINTS"])
        let image = try LoaderFixtures.loader(directory).load(file: path)
        #expect((image.descriptor.member(\.create) ?? nil) == nil)
        #expect((image.descriptor.member(\.create_v2) ?? nil) != nil)
        #expect((image.descriptor.member(\.context) ?? nil) != nil)
    }

    @Test("a descriptor with neither create nor create_v2 is refused")
    func neitherCreate() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("no-create.so", in: directory, flags: ["-DNO_CREATE"])
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        #expect(refusal.reason == .missingRequiredHook)
        #expect(refusal.description == "\(path) refused: required hook create (or create_v2) is NULL "
                + "(expected on_batch, create or create_v2, and destroy)")
    }

    @Test("validate_config_v2 is called, with the descriptor's context, instead of validate_config")
    func validateConfigV2() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("v2.so", in: directory, flags: ["-DV2_ENTRY_POINTS"])
        let image = try LoaderFixtures.loader(directory).load(file: path)
        try image.validateConfiguration("{\"fail\":false}")
        do {
            try image.validateConfiguration("{\"fail\":true}")
            Issue.record("validate_config_v2 accepted {\"fail\":true}")
        } catch {
            #expect(error.reason == .invalidConfiguration)
            #expect(error.description == "\(path) refused: configuration rejected by validate_config_v2: "
                    + "fail was requested (context fixture-context)")
        }
    }

    @Test("the runtime creates an agent with create_v2 and the descriptor's context")
    func createV2InTheRuntime() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await LoaderFixtures.compile(agent: "creates-v2", into: harness, flags: ["-DV2_ENTRY_POINTS"])
        try await LoaderFixtures.compile(agent: "fails-v2", into: harness, flags: ["-DV2_ENTRY_POINTS"])
        try harness.writeSidecar("fails-v2", "config:\n  fail_create: true\n")
        try await harness.withRuntime { runtime in
            #expect(runtime.agents.map(\.name) == ["creates-v2"])
            let plugin = harness.pluginsDirectory + "/fails-v2.so"
            #expect(runtime.refusals.map(\.description) == [
                "\(plugin) refused: create_v2() failed: create_v2 failed as requested (context fixture-context)",
            ])
            #expect(runtime.refusals.map(\.reason) == [.createFailed])
        }
    }
}
