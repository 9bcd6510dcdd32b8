import Foundation
import SluiceHost
import SluiceInfluxDBPlugin
import SluicePluginKit
import TestSupport
import Testing

/// Enrich mode against the real influxd: orders get the price at or before their time.
@Suite("Enrich mode (influxd)", .serialized, .timeLimit(.minutes(3)))
struct EnrichModeTests {
    /// 2023-11-14T22:13:20Z.
    static let t0: Int64 = 1_700_000_000

    private func seededDatabase() throws -> InfluxAdmin {
        let admin = try InfluxAdmin(url: try TestServices.influxURL(), tag: "enrich")
        try admin.write([
            "marketdata,symbol=AAPL price=100.5 \(Self.t0)",
            "marketdata,symbol=AAPL price=101 \(Self.t0 + 10)",
            "marketdata,symbol=MSFT price=300.25 \(Self.t0)",
            "marketdata,symbol=GOOG price=140.125 \(Self.t0 + 5)",
            #"marketdata,symbol=O'Reilly price=7 \#(Self.t0)"#,
            #"marketdata,symbol=back\slash price=8 \#(Self.t0)"#,
        ])
        return admin
    }

    private func config(_ admin: InfluxAdmin, _ extra: [String] = []) -> [String] {
        ["url: \(admin.url)", "database: \(admin.database)"] + extra
    }

    private static func order(_ id: String, _ symbol: String, _ time: String) -> String {
        #"{"id":\#(JSONValue.quoted(id)),"symbol":\#(JSONValue.quoted(symbol)),"timestamp":"\#(time)","quantity":10,"price":100.40}"#
    }

    @Test("exact time, just before, none at all, several symbols in one batch")
    func prices() async throws {
        let admin = try seededDatabase()
        defer { admin.drop() }
        let harness = try PluginFixture.harness(config: config(admin))
        defer { harness.remove() }
        let orders = [
            ("exact", "AAPL", "2023-11-14T22:13:30Z"),                 // exactly at the 101 point
            ("before", "AAPL", "2023-11-14T22:13:29.999999999Z"),      // 1 ns before it: the older 100.5
            ("later", "AAPL", "2023-11-15T00:00:00Z"),
            ("msft", "MSFT", "2023-11-14T23:13:20+01:00"),             // same instant as t0, other zone
            ("goog", "GOOG", "2023-11-14T22:13:25.5Z"),
            ("tooearly", "AAPL", "2023-11-14T22:13:19Z"),              // before any AAPL price
            ("unknown", "TSLA", "2023-11-14T22:13:30Z"),               // no such symbol
        ]
        for (id, symbol, time) in orders { PluginFixture.append(harness, key: id, json: Self.order(id, symbol, time)) }
        PluginFixture.append(harness, key: "broken", json: #"{"id":"broken","symbol":"AAPL"}"#) // no timestamp

        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(60), "5 enriched orders and 3 dead letters") {
                harness.count("quality") >= 5 && harness.count("influxdb.dlq") >= 3
            }
        }

        let quality = try PluginFixture.values(harness, "quality")
        #expect(quality.count == 5)
        #expect(quality["exact"]?["market_price"] == .number("101"))
        #expect(quality["before"]?["market_price"] == .number("100.5"))
        #expect(quality["later"]?["market_price"] == .number("101"))
        #expect(quality["msft"]?["market_price"] == .number("300.25"))
        #expect(quality["goog"]?["market_price"] == .number("140.125"))
        // The rest of the order passes through as written.
        #expect(quality["exact"]?["price"] == .number("100.40"))
        #expect(quality["exact"]?["id"] == .string("exact"))

        let dead = harness.records("influxdb.dlq").map(\.record)
        #expect(Set(dead.compactMap(\.keyText)) == ["tooearly", "unknown", "broken"])
        #expect(dead.first { $0.keyText == "unknown" }?.header("sluice.error")?.contains("no market price") == true)
        #expect(dead.first { $0.keyText == "broken" }?.header("sluice.error")?.contains("timestamp") == true)
    }

    @Test("on_missing_price: null forwards the order with market_price null")
    func nullWhenMissing() async throws {
        let admin = try seededDatabase()
        defer { admin.drop() }
        let harness = try PluginFixture.harness(config: config(admin, ["on_missing_price: null", "output: checked"]))
        defer { harness.remove() }
        PluginFixture.append(harness, key: "a", json: Self.order("a", "TSLA", "2023-11-14T22:13:30Z"))
        PluginFixture.append(harness, key: "b", json: Self.order("b", "AAPL", "2023-11-14T22:13:30Z"))
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(60), "2 orders on checked") { harness.count("checked") >= 2 }
        }
        let checked = try PluginFixture.values(harness, "checked")
        #expect(checked["a"]?["market_price"] == .null)
        #expect(checked["b"]?["market_price"] == .number("101"))
        #expect(harness.count("influxdb.dlq") == 0)
    }

    @Test("hostile symbols find no price and change no other result in the batch")
    func hostileSymbols() async throws {
        let admin = try seededDatabase()
        defer { admin.drop() }
        let harness = try PluginFixture.harness(config: config(admin, ["on_missing_price: \"null\""]))
        defer { harness.remove() }
        let hostile = [
            "AAPL' OR 1=1 --", #"AAPL" OR "symbol" = 'AAPL"#, "AAPL'; DROP DATABASE \(admin.database); --",
            #"AAPL\"#, "AAPL\nAAPL", "$symbol0", "AAPL' OR time > 0 --", "/.*/", "",
        ]
        let time = "2023-11-14T22:13:30Z"
        PluginFixture.append(harness, key: "good0", json: Self.order("good0", "AAPL", time))
        for (index, symbol) in hostile.enumerated() {
            PluginFixture.append(harness, key: "hostile\(index)", json: Self.order("hostile\(index)", symbol, time))
        }
        // Quotes and backslashes in a real symbol still match exactly.
        PluginFixture.append(harness, key: "quote", json: Self.order("quote", "O'Reilly", time))
        PluginFixture.append(harness, key: "slash", json: Self.order("slash", #"back\slash"#, time))
        PluginFixture.append(harness, key: "good1", json: Self.order("good1", "MSFT", time))

        try await harness.withRuntime { runtime in
            let expected = hostile.count + 4
            try await eventually(timeout: .seconds(60), "\(expected) orders on quality") { harness.count("quality") >= expected }
        }

        let quality = try PluginFixture.values(harness, "quality")
        for index in hostile.indices {
            #expect(quality["hostile\(index)"]?["market_price"] == .null, "symbol \(hostile[index].debugDescription) found a price")
        }
        #expect(quality["good0"]?["market_price"] == .number("101"))
        #expect(quality["good1"]?["market_price"] == .number("300.25"))
        #expect(quality["quote"]?["market_price"] == .number("7"))
        #expect(quality["slash"]?["market_price"] == .number("8"))
        // The database and its points are intact.
        #expect(try admin.count("marketdata", field: "price") == 6)
    }

    @Test("influxd frozen for 5 s mid-run: every order is enriched, none lost", .timeLimit(.minutes(3)))
    func outage() async throws {
        let server = try await InfluxTestServer()
        let admin = try InfluxAdmin(url: server.url, tag: "outage")
        try admin.write(["marketdata,symbol=AAPL price=100.5 \(Self.t0)"])
        let harness = try PluginFixture.harness(partitions: 2, batchSize: 50,
                                                config: config(admin, ["timeout_ms: 1000", "connect_timeout_ms: 500"]))
        defer { harness.remove() }
        try await harness.withRuntime { runtime in
            for index in 0..<500 { PluginFixture.append(harness, key: "o\(index)", json: Self.order("o\(index)", "AAPL", "2023-11-15T00:00:00Z")) }
            try await eventually(timeout: .seconds(60), "the first orders enriched") { harness.count("quality") > 0 }

            server.freeze()
            for index in 500..<1000 { PluginFixture.append(harness, key: "o\(index)", json: Self.order("o\(index)", "AAPL", "2023-11-15T00:00:00Z")) }
            try await Task.sleep(for: .seconds(5))
            server.thaw()

            try await eventually(timeout: .seconds(90), "1000 distinct orders enriched") {
                Set(harness.records("quality").compactMap(\.record.keyText)).count == 1000
            }
        }
        #expect(harness.count("influxdb.dlq") == 0)
        let quality = try PluginFixture.values(harness, "quality")
        #expect(quality.values.allSatisfy { $0["market_price"] == .number("100.5") })
        await server.stop()
    }
}
