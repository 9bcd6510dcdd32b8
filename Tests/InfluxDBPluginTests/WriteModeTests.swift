import Foundation
import SluiceHost
import SluiceInfluxDBPlugin
import SluicePluginKit
import TestSupport
import Testing

/// Write mode against the real influxd: records become points, read back equal.
@Suite("Write mode (influxd)", .serialized, .timeLimit(.minutes(5)))
struct WriteModeTests {
    /// 2023-11-14T22:13:20Z in milliseconds.
    static let t0: Int64 = 1_700_000_000_000
    static let symbols = ["AAPL", "New York, NY", "a=b c", "x,y=z w", #"C:\dir"#, "ÄÖ 🙂"]

    private static func record(_ index: Int) -> String {
        let time = Timestamp(nanoseconds: (t0 + Int64(index)) * 1_000_000).rfc3339
        let note = JSONValue.quoted("say \"hi\" \\ #\(index)")
        return #"{"id":\#(index),"symbol":\#(JSONValue.quoted(symbols[index % symbols.count])),"price":\#(Double(index) * 0.25 + 0.5),"qty":\#(index),"note":\#(note),"ok":\#(index % 2 == 0),"timestamp":"\#(time)"}"#
    }

    private func config(_ admin: InfluxAdmin, _ extra: [String] = []) -> [String] {
        ["url: \(admin.url)", "database: \(admin.database)", "mode: write", "measurement: trades",
         "tags: [symbol]", "integer_fields: [qty, id]", "precision: ms", "flush_interval_ms: 100"] + extra
    }

    @Test("20k records written and read back with equal values", arguments: [false, true])
    func twentyThousand(gzip: Bool) async throws {
        let admin = try InfluxAdmin(url: try TestServices.influxURL(), tag: "write")
        defer { admin.drop() }
        let harness = try PluginFixture.harness(partitions: 4, config: config(admin, ["gzip: \(gzip)"]))
        defer { harness.remove() }
        let total = 20_000
        for index in 0..<total { PluginFixture.append(harness, topic: "orders", key: "r\(index)", json: Self.record(index)) }

        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(120), "all input committed") {
                let committed = harness.broker.committed(group: "sluice.influxdb")
                return (0..<Int32(4)).allSatisfy { committed[TopicPartition("orders", $0)] == harness.broker.endOffset(TopicPartition("orders", $0)) }
            }
        }
        #expect(harness.count("influxdb.dlq") == 0)

        let rows = try admin.rows(#"SELECT "id", "note", "ok", "price", "qty", "symbol" FROM "trades""#)
        #expect(rows.count == total)
        var seen = Set<Int>()
        for row in rows {
            guard row.count == 7, case .number(let timeText) = row[0], let nanoseconds = Int64(timeText),
                  case .number(let idText) = row[1], let id = Int(idText) else {
                Issue.record("unexpected row \(row)")
                continue
            }
            seen.insert(id)
            #expect(nanoseconds == (Self.t0 + Int64(id)) * 1_000_000)
            #expect(row[2] == .string("say \"hi\" \\ #\(id)"))
            #expect(row[3] == .bool(id % 2 == 0))
            #expect(Double(row[4].scalarText ?? "") == Double(id) * 0.25 + 0.5)
            #expect(row[5] == .number("\(id)"))
            #expect(row[6] == .string(Self.symbols[id % Self.symbols.count]))
        }
        #expect(seen.count == total)
        // Tag values with spaces, commas and '=' are whole series of their own.
        for symbol in Self.symbols {
            let count = try admin.rows(#"SELECT count("qty") FROM "trades" WHERE "symbol" = \#(InfluxQL.quoteString(symbol))"#)
            #expect(count.first?.last == .number("\((total + Self.symbols.count - 1 - Self.symbols.firstIndex(of: symbol)!) / Self.symbols.count)"),
                    "series \(symbol.debugDescription)")
        }
    }

    @Test("points InfluxDB refuses are dead-lettered with its reason; the rest are written")
    func refusedPoints() async throws {
        let admin = try InfluxAdmin(url: try TestServices.influxURL(), tag: "refused")
        defer { admin.drop() }
        // price is a float field from now on: a string or boolean price conflicts.
        try admin.write(["trades,symbol=SEED price=1.5,qty=1i 1"], precision: "ms")
        let harness = try PluginFixture.harness(batchSize: 1000, config: config(admin))
        defer { harness.remove() }
        let bad: [Int: String] = [
            137: #"{"id":137,"symbol":"AAPL","price":"oops","qty":1,"timestamp":"2023-11-14T22:13:20.137Z"}"#,
            700: #"{"id":700,"symbol":"AAPL","price":true,"qty":1,"timestamp":"2023-11-14T22:13:20.700Z"}"#,
        ]
        for index in 0..<1000 { PluginFixture.append(harness, key: "r\(index)", json: bad[index] ?? Self.record(index)) }
        PluginFixture.append(harness, key: "unwritable", json: #"{"id":1,"symbol":"ends\\","price":1,"timestamp":"2023-11-14T22:13:20Z"}"#)
        PluginFixture.append(harness, key: "notjson", json: "{nope")

        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(60), "4 dead letters") { harness.count("influxdb.dlq") >= 4 }
            try await eventually(timeout: .seconds(60), "998 points") { (try? admin.count("trades", field: "qty")) == 999 }
        }

        let dead = Dictionary(uniqueKeysWithValues: harness.records("influxdb.dlq").map { ($0.record.keyText ?? "", $0.record) })
        #expect(Set(dead.keys) == ["r137", "r700", "unwritable", "notjson"])
        #expect(dead["r137"]?.header("sluice.error")?.contains("field type conflict") == true)
        #expect(dead["r700"]?.header("sluice.error")?.contains("field type conflict") == true)
        #expect(dead["unwritable"]?.header("sluice.error")?.contains("backslash") == true)
        #expect(dead["notjson"]?.header("sluice.error")?.contains("invalid JSON") == true)
        #expect(try admin.count("trades", field: "qty") == 999) // 998 + the seed point
    }

    @Test("influxd stopped for 5 s mid-run: nothing lost", .timeLimit(.minutes(3)))
    func outage() async throws {
        let server = try await InfluxTestServer()
        let admin = try InfluxAdmin(url: server.url, tag: "outage")
        let harness = try PluginFixture.harness(partitions: 2, batchSize: 100,
                                                config: config(admin, ["timeout_ms: 2000", "connect_timeout_ms: 500", "max_lines: 300"]))
        defer { harness.remove() }
        try await harness.withRuntime { runtime in
            for index in 0..<2000 { PluginFixture.append(harness, key: "r\(index)", json: Self.record(index)) }
            try await eventually(timeout: .seconds(60), "the first points written") { ((try? admin.count("trades", field: "qty")) ?? 0) > 0 }

            await server.stop()
            for index in 2000..<4000 { PluginFixture.append(harness, key: "r\(index)", json: Self.record(index)) }
            try await Task.sleep(for: .seconds(5))
            try await server.start()

            try await eventually(timeout: .seconds(90), "4000 points in InfluxDB") { ((try? admin.count("trades", field: "qty")) ?? 0) == 4000 }
            try await eventually(timeout: .seconds(30), "all input committed") {
                let committed = harness.broker.committed(group: "sluice.influxdb")
                return (0..<Int32(2)).allSatisfy { committed[TopicPartition("orders", $0)] == harness.broker.endOffset(TopicPartition("orders", $0)) }
            }
        }
        #expect(harness.count("influxdb.dlq") == 0)
        await server.stop()
    }
}
