import Foundation
import SluiceHost
import Testing
import TestSupport

/// The order-stats plugin in a real host on memory://: known orders go in,
/// each symbol's statistics per window come out on the output topic once the
/// wall clock closes the window (the orders stop, so stream time never does).
@Suite("order-stats plugin: statistics per symbol per window")
struct OrderStatsWindowTests {
    /// One order as the test sends it; prices are multiples of 1/4, so every sum is exact.
    struct SentOrder {
        let id: String
        let symbol: String
        let quantity: Int
        let price: Double

        var json: String {
            #"{"id": "\#(id)", "user_id": "alice", "symbol": "\#(symbol)", "quantity": \#(quantity), "price": \#(price)}"#
        }
    }

    /// One record of the output topic.
    struct ProducedStats: Decodable, Hashable {
        let symbol: String
        let window_start: Int64
        let window_end: Int64
        let orders: Int
        let shares: Int
        let notional: Double
    }

    static let orders: [SentOrder] = [
        SentOrder(id: "o-1", symbol: "AAPL", quantity: 10, price: 100.25),
        SentOrder(id: "o-2", symbol: "MSFT", quantity: 5, price: 370.5),
        SentOrder(id: "o-3", symbol: "AAPL", quantity: 2, price: 101.75),
        SentOrder(id: "o-4", symbol: "GOOG", quantity: 7, price: 135.0),
        SentOrder(id: "o-5", symbol: "AAPL", quantity: 1, price: 99.5),
        SentOrder(id: "o-6", symbol: "MSFT", quantity: 20, price: 371.25),
    ]

    @Test("each closed window's orders, shares and notional per symbol, exactly those of the orders it holds")
    func closedWindows() async throws {
        let window: Int64 = 1_000
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try harness.installBuiltPlugin(product: "SluiceOrderStats", as: "order-stats", sidecar: """
            config:
              window_ms: \(window)
              grace_ms: 100
              output_topic: stats_per_second
            """)
        let produced = try await harness.withRuntime { _ in
            for order in Self.orders {
                harness.broker.append(OutgoingRecord(topic: "orders", key: Array(order.id.utf8), value: Array(order.json.utf8)))
            }
            try await eventually("every order counted in a closed window on stats_per_second") {
                try Self.stats(in: harness).reduce(0) { $0 + $1.orders } >= Self.orders.count
            }
            return try Self.stats(in: harness)
        }

        // What each window must hold, from the orders' own record timestamps as stored. Each input
        // partition keeps its own windows: a symbol's window gets one record per partition with orders in it.
        let byID = Dictionary(uniqueKeysWithValues: Self.orders.map { ($0.id, $0) })
        var expected: [String: ProducedStats] = [:]
        var windowsPerPartition: Set<String> = []
        for (partition, record) in harness.records("orders") {
            let key = try #require(record.key)
            let order = try #require(byID[String(decoding: key, as: UTF8.self)])
            let start = record.timestampMilliseconds - record.timestampMilliseconds % window
            windowsPerPartition.insert("\(order.symbol)@\(start)/\(partition)")
            expected[Self.id(order.symbol, start)] = Self.adding(
                ProducedStats(symbol: order.symbol, window_start: start, window_end: start + window,
                              orders: 1, shares: order.quantity, notional: Double(order.quantity) * order.price),
                to: expected[Self.id(order.symbol, start)])
        }
        #expect(produced.count == windowsPerPartition.count, "one record per symbol, window and partition: \(produced)")
        var summed: [String: ProducedStats] = [:]
        for stats in produced {
            #expect(stats.window_end - stats.window_start == window && stats.window_start % window == 0, "\(stats)")
            summed[Self.id(stats.symbol, stats.window_start)] = Self.adding(stats, to: summed[Self.id(stats.symbol, stats.window_start)])
        }
        #expect(summed == expected)
        // And over all windows, each symbol's totals are those of its orders.
        for symbol in Set(Self.orders.map(\.symbol)) {
            let sent = Self.orders.filter { $0.symbol == symbol }
            let out = produced.filter { $0.symbol == symbol }
            #expect(out.reduce(0) { $0 + $1.orders } == sent.count)
            #expect(out.reduce(0) { $0 + $1.shares } == sent.reduce(0) { $0 + $1.quantity })
            #expect(out.reduce(0.0) { $0 + $1.notional } == sent.reduce(0.0) { $0 + Double($1.quantity) * $1.price })
        }
        // Keyed by the symbol.
        for (_, record) in harness.records("stats_per_second") {
            let stats = try JSONDecoder().decode(ProducedStats.self, from: Data(try #require(record.value)))
            #expect(record.key == Array(stats.symbol.utf8))
        }
    }

    static func id(_ symbol: String, _ start: Int64) -> String { "\(symbol)@\(start)" }

    /// `stats` added to `total` (one symbol and window).
    static func adding(_ stats: ProducedStats, to total: ProducedStats?) -> ProducedStats {
        guard let total else { return stats }
        return ProducedStats(symbol: stats.symbol, window_start: stats.window_start, window_end: stats.window_end,
                             orders: total.orders + stats.orders, shares: total.shares + stats.shares,
                             notional: total.notional + stats.notional)
    }

    static func stats(in harness: HostHarness) throws -> [ProducedStats] {
        try harness.records("stats_per_second").map { _, record in
            try JSONDecoder().decode(ProducedStats.self, from: Data(record.value ?? []))
        }
    }
}
