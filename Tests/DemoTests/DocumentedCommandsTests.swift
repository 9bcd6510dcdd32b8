import Foundation
import Testing
import TestSupport

/// Every command the README and docs show is run somewhere: by a test (named
/// here, and checked to exist), by the demo, or by CI (`.ci/run` → `make test`
/// → `tools/test`, which runs `tools/services`, `swift build` and `swift test`).
/// A doc that shows a command nobody runs fails this suite, and so does a
/// mapping entry no doc shows any more.
@Suite("documented commands")
struct DocumentedCommandsTests {
    /// Who runs a command.
    enum Evidence: CustomStringConvertible {
        /// A test function: `file` (under Tests/) declares `func name(`.
        case test(_ file: String, _ function: String)
        /// CI's path: `.ci/run` runs `make test`, which runs `tools/test`.
        case ci(String)

        var description: String {
            switch self {
            case .test(let file, let function): "Tests/\(file): \(function)"
            case .ci(let how): "CI: \(how)"
            }
        }
    }

    /// Command key (see `DocumentedCommands.key(of:)`) → who runs it.
    static let evidence: [String: [Evidence]] = [
        "make demo": [.test("DemoTests/DemoTests.swift", "memory")],
        "make test": [.ci(".ci/run runs it")],
        "make": [.test("HostTests/NewPluginTests.swift", "cPlugin")],
        "tools/test": [.ci("make test runs it; --filter is passed to swift test")],
        "tools/services up": [.ci("tools/test runs it")],
        "tools/services down": [.ci("tools/test runs it")],
        "swift build": [.ci("tools/test runs it"), .test("HostTests/NewPluginTests.swift", "swiftPlugin")],
        "swift test": [.ci("tools/test runs it")],
        "sluice run": [.test("DemoTests/DemoTests.swift", "memory"), .test("HostTests/CommandLineTests.swift", "gracefulSignal")],
        "sluice plugins": [.test("LoaderTests/PluginsInspectCommandTests.swift", "goodPluginText"), .test("AdminTests/AdminCLITests.swift", "operatorCommands"),
                           .test("LoaderTests/PluginsInspectCommandTests.swift", "goodPluginJSON")],
        "sluice agents": [.test("AdminTests/AdminCLITests.swift", "operatorCommands"), .test("DemoTests/DemoTests.swift", "memory")],
        "sluice send": [.test("AdminTests/AdminCLITests.swift", "operatorCommands"), .test("DemoTests/DemoTests.swift", "memory")],
        "sluice read": [.test("AdminTests/AdminCLITests.swift", "readTopic"), .test("DemoTests/DemoTests.swift", "memory")],
        "sluice top": [.test("AdminTests/TopCommandTests.swift", "screenOnATerminal"),
                       .test("AdminTests/TopCommandTests.swift", "plainLines")],
        "sluice state": [.test("AdminTests/TableQueryCLITests.swift", "stateGetAndList")],
        "sluice pause|resume|reload": [.test("AdminTests/AdminCLITests.swift", "operatorCommands")],
        "sluice try": [.test("HostTests/TryCommandTests.swift", "producedAndDeadLettered"),
                       .test("HostTests/NewPluginTests.swift", "swiftPlugin")],
        "sluice new-plugin": [.test("HostTests/NewPluginTests.swift", "cPlugin"), .test("HostTests/NewPluginTests.swift", "swiftPlugin")],
        "sluice-demo-services": [.test("DemoTests/DemoTests.swift", "memory")],
        // The admin API's curl examples: the same requests over HTTP, not through curl.
        "curl": [.test("AdminTests/AdminEndpointTests.swift", "produceThroughTheAPI"),
                 .test("AdminTests/TableQueryTests.swift", "lookUp"), .test("AdminTests/TableQueryTests.swift", "prefixListing")],
        "printf": [.test("AdminTests/AdminEndpointTests.swift", "produceThroughTheAPI")],
        // Drop-in deployment (write NAME.so.tmp, rename): the hot-reload tests do exactly this.
        "cc": [.test("HostTests/HotReloadTests.swift", "swapsUnderLoad")],
        "cp": [.test("HostTests/HotReloadTests.swift", "swapsUnderLoad"), .test("DemoTests/DemoTests.swift", "memory")],
        "mv": [.test("HostTests/HotReloadTests.swift", "swapsUnderLoad")],
        "cd": [.test("HostTests/NewPluginTests.swift", "swiftPlugin")],
    ]

    @Test("every command shown in README.md and docs/ is run by a test, the demo or CI")
    func everyCommandIsExercised() throws {
        let shown = try DocumentedCommands.all()
        #expect(shown.count > 20, "the extraction found too few commands: \(shown.map(\.line))")
        for command in shown {
            #expect(Self.evidence[command.key] != nil,
                    "\(command.file) shows `\(command.line)` (\(command.key)), which no test runs: add a test and map it here")
        }
        let keys = Set(shown.map(\.key))
        for key in Self.evidence.keys where !keys.contains(key) {
            Issue.record("the mapping names `\(key)`, which no doc shows any more: remove it")
        }
    }

    @Test("the tests named in the mapping exist")
    func namedTestsExist() throws {
        for case .test(let file, let function) in Self.evidence.values.flatMap({ $0 }) {
            let source = try String(contentsOfFile: RepositoryPaths.path("Tests/" + file), encoding: .utf8)
            #expect(source.contains("func \(function)("), "Tests/\(file) has no func \(function)(")
        }
        let ci = try String(contentsOfFile: RepositoryPaths.path(".ci/run"), encoding: .utf8)
        #expect(ci.contains("make test"))
    }

    @Test("command keys: output lines are not commands; prompts, env prefixes and build paths are handled")
    func keys() {
        #expect(DocumentedCommands.key(of: "sluice: cannot reach the admin API") == nil)
        #expect(DocumentedCommands.key(of: "sluice.yaml: wokers: expected one of admin") == nil)
        #expect(DocumentedCommands.key(of: "KAFKA=1 tools/demo") == "tools/demo")
        #expect(DocumentedCommands.key(of: ".build/debug/sluice new-plugin shout --lang swift") == "sluice new-plugin")
        #expect(DocumentedCommands.key(of: ".build/debug/sluice-demo-services --env-file x.env") == "sluice-demo-services")
        #expect(DocumentedCommands.key(of: "swift build -c release") == "swift build")
        #expect(DocumentedCommands.key(of: "make") == "make")
        let block = "```sh\n$ sluice agents\nNAME  VERSION\ncurl -s x \\\n  -d '{}'\n```\n```json\n{\"a\": 1}\n```\n"
        #expect(DocumentedCommands.commands(in: block, file: "x.md").map(\.key) == ["sluice agents", "curl"])
    }
}
