import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// `sluice state get` and `sluice state list`: the real binary against an
/// admin server in this process, running the stateful counter.
@Suite("sluice state get, list")
struct TableQueryCLITests {
    @discardableResult
    private func sluice(_ arguments: [String], check: Bool = true) async throws -> ProcessRunner.Result {
        try SluiceBinary.require()
        return try await ProcessRunner.run([SluiceBinary.path] + arguments, check: check)
    }

    @Test("state get prints a key's value, state list a prefix's entries; --json is the API's answer; 404s exit 1")
    func stateGetAndList() async throws {
        try await StatefulAdminHost.start().run { host in
            let admin = ["--admin", host.baseURL]
            let agent = StatefulAdminHost.agent
            try await StatefulAdminHost.produce(100, to: host)
            let expected = StatefulAdminHost.expectedCounts(host)
            let (key, count) = try #require(expected.first { $0.key.hasPrefix("k4@") })

            let got = try await sluice(["state", "get", agent, "counts", key] + admin).output
            let line = got.trimmingCharacters(in: .newlines)
            #expect((0..<4).contains { line == "\($0) \(key) → \(count)" }, "\(got)")
            let json = try await sluice(["state", "get", agent, "counts", key, "--json"] + admin).output
            let report = try JSONDecoder().decode(TableLookupReport.self, from: Data(json.utf8))
            #expect(report.entry.value == .json(.integer(Int64(count))))

            let listed = try await sluice(["state", "list", agent, "counts", "--prefix", "k4@"] + admin).output
            let lines = listed.split(separator: "\n")
            #expect(lines.count == expected.keys.filter { $0.hasPrefix("k4@") }.count, "\(listed)")
            #expect(lines.allSatisfy { $0.contains(" k4@") }, "\(listed)")
            let listJSON = try await sluice(["state", "list", agent, "counts", "--prefix", "k4@", "--limit", "1", "--json"] + admin).output
            let entries = try JSONDecoder().decode(TableEntriesReport.self, from: Data(listJSON.utf8))
            #expect(entries.entries.count == 1 && entries.limit == 1)

            // The counter's index keys start with \u{1}: escaped on the terminal.
            let index = try await sluice(["state", "list", agent, "counts", "--prefix", "\u{1}", "--limit", "1"] + admin)
            #expect(index.output.contains(" \\x01") && index.output.contains(" → base64:"), "\(index.output)")
            #expect(!index.output.contains("\u{1}"))

            let absent = try await sluice(["state", "get", agent, "counts", "nothing"] + admin, check: false)
            #expect(absent.status == 1)
            #expect(absent.output.contains("404") && absent.output.contains("no entry for key \"nothing\""), "\(absent.output)")
            let table = try await sluice(["state", "list", agent, "sums"] + admin, check: false)
            #expect(table.status == 1 && table.output.contains("its tables: \"counts\""), "\(table.output)")

            let agents = try await sluice(["agents"] + admin).output
            #expect(agents.contains("\(agent): tables counts\n") || agents.hasSuffix("\(agent): tables counts"), "\(agents)")
        }
    }
}
