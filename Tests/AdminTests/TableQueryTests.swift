import Foundation
@testable import SluiceAdmin
@testable import SluiceCLI
import SluiceHost
import Testing
import TestSupport

/// Interactive queries of a stateful agent's tables over real HTTP
/// (`GET /agents/{name}/tables/{table}/{key}` and `.../{table}?prefix=&limit=`),
/// and the restore progress `GET /agents` reports.
@Suite("table queries on the admin API")
struct TableQueryTests {
    private let agent = StatefulAdminHost.agent

    @Test("a key's value as JSON, with its partition; unknown agent, unknown table and absent key are 404s that say why")
    func lookUp() async throws {
        try await StatefulAdminHost.start().run { host in
            try await StatefulAdminHost.produce(200, to: host)
            let expected = StatefulAdminHost.expectedCounts(host)
            let (key, count) = try #require(expected.first { $0.key.hasPrefix("k1@") })
            let found = try await HTTPExchange.get(host.baseURL, "/agents/\(agent)/tables/counts/\(AdminClient.segment(key))")
            #expect(found.status == 200, "\(found.text)")
            let body = try found.json()
            #expect(body["agent"] as? String == agent)
            #expect(body["table"] as? String == "counts")
            #expect(body["key"] as? String == key)
            #expect(body["value"] as? Int == count, "the counter's value is a JSON number: \(found.text)")
            #expect(body["value_base64"] == nil)
            let partition = try #require(body["partition"] as? Int)
            #expect((0..<4).contains(partition))
            let report = try JSONDecoder().decode(TableLookupReport.self, from: found.body)
            #expect(report.entry.value == .json(.integer(Int64(count))))

            let unknownAgent = try await HTTPExchange.get(host.baseURL, "/agents/nobody/tables/counts/\(AdminClient.segment(key))")
            #expect(unknownAgent.status == 404)
            #expect(unknownAgent.errorMessage?.contains("no agent named \"nobody\"") == true, "\(unknownAgent.text)")

            let unknownTable = try await HTTPExchange.get(host.baseURL, "/agents/\(agent)/tables/sums/k1")
            #expect(unknownTable.status == 404)
            #expect(unknownTable.errorMessage == "agent \"\(agent)\" has no table \"sums\": its tables: \"counts\"", "\(unknownTable.text)")

            let stateless = try await HTTPExchange.get(host.baseURL, "/agents/recorder/tables/counts/k1")
            #expect(stateless.status == 404)
            #expect(stateless.errorMessage?.contains("keeps no tables") == true, "\(stateless.text)")

            // On memory:// this host owns every partition, so an absent key is absent everywhere.
            let absent = try await HTTPExchange.get(host.baseURL, "/agents/\(agent)/tables/counts/nothing%0Ahere")
            #expect(absent.status == 404)
            #expect(absent.errorMessage == "no entry for key \"nothing\\x0ahere\" in table \"counts\" of agent \"\(agent)\": "
                    + "this host owns partitions 0-3", "the key is escaped: \(absent.text)")

        }
    }

    @Test("a key of any bytes is percent-decoded from the path; a value that is not JSON comes as value_base64")
    func bytesKeys() async throws {
        try await StatefulAdminHost.start().run { host in
            try await StatefulAdminHost.produce(50, to: host)
            let counted = try #require(StatefulAdminHost.expectedCounts(host).keys.first { $0.hasPrefix("k2@") })
            let start = try #require(counted.split(separator: "@").last)
            // The counter's window index: "\u{1}<start>/k2" with an empty value.
            let found = try await HTTPExchange.get(host.baseURL, "/agents/\(agent)/tables/counts/%01\(start)%2Fk2")
            #expect(found.status == 200, "\(found.text)")
            let report = try JSONDecoder().decode(TableLookupReport.self, from: found.body)
            #expect(report.entry.key == .json(.string("\u{1}\(start)/k2")))
            #expect(report.entry.value == .raw([]), "empty bytes are not JSON: \(found.text)")
            #expect(try found.json()["value_base64"] as? String == "")
        }
    }

    @Test("a prefix listing, in key order per partition, limited and marked truncated")
    func prefixListing() async throws {
        try await StatefulAdminHost.start().run { host in
            try await StatefulAdminHost.produce(300, to: host)
            let expected = StatefulAdminHost.expectedCounts(host)
            let listed = try await HTTPExchange.get(host.baseURL, "/agents/\(agent)/tables/counts?prefix=k3%40")
            #expect(listed.status == 200, "\(listed.text)")
            let report = try JSONDecoder().decode(TableEntriesReport.self, from: listed.body)
            #expect(report.prefix == .json(.string("k3@")) && report.limit == 100 && !report.truncated)
            var seen: [String: Int] = [:]
            for entry in report.entries {
                guard case .json(.string(let key)) = entry.key, case .json(.integer(let count)) = entry.value else {
                    Issue.record("not a counter entry: \(entry)")
                    continue
                }
                seen[key] = Int(count)
            }
            #expect(seen == expected.filter { $0.key.hasPrefix("k3@") })
            let partitions = report.entries.map(\.partition)
            #expect(partitions == partitions.sorted())

            // Every key (index entries included): more than 2, so a limit of 2 is truncated.
            let limited = try await HTTPExchange.get(host.baseURL, "/agents/\(agent)/tables/counts?limit=2")
            let page = try JSONDecoder().decode(TableEntriesReport.self, from: limited.body)
            #expect(page.entries.count == 2 && page.truncated, "\(limited.text)")

            let tooMany = try await HTTPExchange.get(host.baseURL, "/agents/\(agent)/tables/counts?limit=1001")
            #expect(tooMany.status == 400 && tooMany.errorMessage?.contains("1 to 1000") == true, "\(tooMany.text)")
            let unknown = try await HTTPExchange.get(host.baseURL, "/agents/\(agent)/tables/counts?prefx=k")
            #expect(unknown.status == 400 && unknown.errorMessage?.contains("prefx") == true, "\(unknown.text)")
            let noTable = try await HTTPExchange.get(host.baseURL, "/agents/\(agent)/tables/sums")
            #expect(noTable.status == 404, "\(noTable.text)")
        }
    }

    @Test("GET /agents carries each agent's tables and restores; a stateless agent has none")
    func restoresInAgentsReport() async throws {
        try await StatefulAdminHost.start().run { host in
            try await StatefulAdminHost.produce(20, to: host)
            let answer = try await HTTPExchange.get(host.baseURL, "/agents")
            let report = try JSONDecoder().decode(AgentsReport.self, from: answer.body)
            let counter = try #require(report.agents.first { $0.name == agent })
            #expect(counter.tables == ["counts"])
            #expect(counter.restores.map(\.partition) == [0, 1, 2, 3], "one restore per owned partition: \(counter.restores)")
            #expect(counter.restores.allSatisfy { $0.done && $0.topic == "input" })
            let recorder = try #require(report.agents.first { $0.name == "recorder" })
            #expect(recorder.tables.isEmpty && recorder.restores.isEmpty)
            let raw = try #require((try answer.json()["agents"] as? [[String: Any]])?.first { $0["name"] as? String == agent })
            let first = try #require((raw["restores"] as? [[String: Any]])?.first)
            #expect(Set(first.keys) == ["topic", "partition", "restored", "total", "done"])

            let one = try await HTTPExchange.get(host.baseURL, "/agents/\(agent)")
            #expect(try JSONDecoder().decode(AgentReport.self, from: one.body).tables == ["counts"])
        }
    }

    @Test("a key whose partition another host owns is a 409 naming the partition; found, absent and unknown tables map to 200 and 404")
    func lookupStatuses() throws {
        let key = Array("k1@0000000000000000".utf8)
        let report = try TableQueryAnswers.lookup(.found(value: Array("7".utf8), partition: 2), agent: "a", table: "t", key: key)
        #expect(report.entry == TableEntryReport(key: .json(.string("k1@0000000000000000")), partition: 2, value: .json(.integer(7))))
        do {
            _ = try TableQueryAnswers.lookup(.notOwned(partition: 5, owned: [0, 1, 2, 7]), agent: "a", table: "t", key: key)
            Issue.record("notOwned answered 200")
        } catch {
            #expect(error.status == .conflict)
            #expect(error.message.contains("partition 5, which another host owns"), "\(error.message)")
            #expect(error.message.contains("this host owns partitions 0-2,7"), "\(error.message)")
        }
        do {
            _ = try TableQueryAnswers.lookup(.absent(owned: []), agent: "a", table: "t", key: [0xFF, 0x22])
            Issue.record("absent answered 200")
        } catch {
            #expect(error.status == .notFound)
            #expect(error.message.contains("key \"\\xff\\\"\"") && error.message.contains("owns none"), "\(error.message)")
        }
        do {
            _ = try TableQueryAnswers.lookup(.unknownTable(declared: ["counts", "sums"]), agent: "a", table: "t", key: key)
            Issue.record("unknownTable answered 200")
        } catch {
            #expect(error.status == .notFound)
            #expect(error.message == "agent \"a\" has no table \"t\": its tables: \"counts\", \"sums\"")
        }
    }

    @Test("percent-decoding gives bytes: %2F is a slash within the key, + is itself in a path and a space in a query; a broken escape is refused")
    func percentDecoding() throws {
        #expect(PercentDecoding.bytes("%01a%2fb%FF+") == [0x01, 0x61, 0x2F, 0x62, 0xFF, 0x2B])
        #expect(PercentDecoding.bytes("a+b", plusIsSpace: true) == Array("a b".utf8))
        #expect(PercentDecoding.bytes("k%zz") == nil && PercentDecoding.bytes("k%4") == nil)
        #expect(throws: AdminHTTPError.self) { try TableListQuery(rawQuery: "prefix=%g0") }
        #expect(throws: AdminHTTPError.self) { try TableListQuery(rawQuery: "limit=5&limit=6") }
        #expect(try TableListQuery(rawQuery: "prefix=a%01+b&limit=7") == {
            var query = try TableListQuery(rawQuery: nil)
            query.prefix = [0x61, 0x01, 0x20, 0x62]
            query.limit = 7
            return query
        }())
    }

    @Test("sluice agents shows a stateful agent's tables, and only the restores under way")
    func agentsTextShowsRestores() throws {
        let json = #"""
        {"agents": [{"name": "counter", "plugin": "counter", "version": "1.0.0", "sha256": "x", "state": "running",
          "partitions": [], "in_flight": 0, "processed": 0, "dead_lettered": 0, "retried": 0,
          "tables": ["counts", "index"],
          "restores": [{"topic": "input", "partition": 3, "restored": 12000, "total": 50000, "done": false},
                       {"topic": "input", "partition": 4, "restored": 10, "total": 10, "done": true}]},
         {"name": "plain", "plugin": "plain", "version": "1.0.0", "sha256": "y", "state": "running",
          "partitions": [], "in_flight": 0, "processed": 0, "dead_lettered": 0, "retried": 0}],
         "refused": [], "reloads": []}
        """#
        let report = try JSONDecoder().decode(AgentsReport.self, from: Data(json.utf8))
        let lines = AgentsCommand.table(report).split(separator: "\n").map(String.init)
        #expect(lines.contains("counter: tables counts, index; restoring p3 12,000/50,000"), "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("plain:") }, "a stateless agent (and one from an older host) has no state line")
        #expect(AgentsCommand.grouped(1_234_567) == "1,234,567" && AgentsCommand.grouped(999) == "999")
    }
}
