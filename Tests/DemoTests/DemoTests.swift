import Foundation
import Testing
import TestSupport

/// `make demo` end to end: real `sluice run` and `sluice send` processes,
/// real Redis and InfluxDB, the demo's stand-in services; the test checks
/// what the demo prints, section by section.
@Suite("make demo", .serialized)
struct DemoTests {
    /// The picture of the demo host's status page the memory:// run takes
    /// (`docs/images/status-page.png` is made the same way).
    static let statusPagePicture = RepositoryPaths.path(".build/test-artifacts/demo-status-page.png")

    @Test("on memory://: feeds, confirmations, enriched orders, top hits, order statistics, the summary and the status page")
    func memory() async throws {
        let result = try await DemoRun.run(screenshot: Self.statusPagePicture)
        #expect(result.status == 0, "tools/demo failed:\n\(result.output)")
        #expect(!result.timedOut, "the demo waited (for Enter?) without a terminal:\n\(result.output)")
        Self.checkResults(result.output, broker: "memory://")
        #expect(result.output.contains("status page screenshot: \(Self.statusPagePicture)"), "\(result.output)")
        let picture = try Data(contentsOf: URL(fileURLWithPath: Self.statusPagePicture))
        #expect(picture.starts(with: [0x89, 0x50, 0x4E, 0x47]) && picture.count > 10_000, "not a picture of the page")
    }

    @Test("in a terminal: it prints the status page's address and keeps the host up until Enter")
    func terminalKeepsTheHostUp() async throws {
        let demo = try TerminalDemoRun()
        defer { demo.remove() }
        try await eventually(timeout: .seconds(300), "the demo asks for Enter") {
            demo.output.contains("press Enter to stop the demo") || !demo.isRunning
        }
        let output = demo.output
        #expect(demo.isRunning, "the demo did not wait:\n\(output)")
        let address = try #require(output.firstMatch(of: #/Status page: (http://127\.0\.0\.1:[0-9]+/) /#)?.output.1,
                                   "no status page address:\n\(output)")
        // The host is still up: its status page and the JSON the page reads.
        let page = try await ProcessRunner.run(["curl", "-sS", "-H", "Accept: text/html", String(address)])
        #expect(page.output.contains(#"<script src="/status.js" defer></script>"#), "\(page.output)")
        let agents = try await ProcessRunner.run(["curl", "-sS", String(address) + "agents"])
        for name in ["elasticsearch", "http", "influxdb", "order-stats", "quality-series", "redis"] {
            #expect(agents.output.contains(#""name":"\#(name)""#), "\(agents.output)")
        }
        #expect(!output.contains("[9/9] stopping"), "it stopped before Enter")

        try demo.pressEnter()
        let status = try await demo.exitStatus(timeout: .seconds(120))
        #expect(status == 0, "\(demo.output)")
        #expect(demo.output.contains("[9/9] stopping the host") && demo.output.contains("everything it started is stopped"),
                "\(demo.output)")
    }

    @Test("KAFKA=1: the same over the local Kafka-compatible broker")
    func kafka() async throws {
        let result = try await DemoRun.run(kafka: true)
        #expect(result.status == 0, "make demo KAFKA=1 failed:\n\(result.output)")
        Self.checkResults(result.output, broker: "kafka://")
    }

    private static func checkResults(_ output: String, broker: String) {
        #expect(output.contains("[9/9] stopping the host, the demo services"), "\(output)")

        let feeds = DemoRun.section("Feeds in Redis", of: output)
        #expect(feeds == [
            "  alice: Hello from Faust | Now in Swift | Hot reload works",
            "  bob:   Streams are fun | Agents are plugins",
            "  carol: First post",
        ], "\(output)")

        let confirmations = DemoRun.section("Order confirmations received", of: output)
        #expect(confirmations == [
            #"  POST /confirm/alice {"body":"Order: 10 shares of AAPL","subject":"Order Confirmation","user":"alice"}"#,
            #"  POST /confirm/alice {"body":"Order: 7 shares of GOOG","subject":"Order Confirmation","user":"alice"}"#,
            #"  POST /confirm/bob {"body":"Order: 5 shares of MSFT","subject":"Order Confirmation","user":"bob"}"#,
            #"  POST /confirm/carol {"body":"Order: 2 shares of AAPL","subject":"Order Confirmation","user":"carol"}"#,
        ], "\(output)")

        // o-1 is before AAPL's second price, o-3 after it: the price at the order's time.
        let quality = DemoRun.section("Enriched orders on the quality topic", of: output)
        #expect(quality == [
            "  o-1 AAPL  10 shares at 100.4   market price 101",
            "  o-2 MSFT   5 shares at 370.1   market price 369.75",
            "  o-3 AAPL   2 shares at 101.9   market price 102.5",
            "  o-4 GOOG   7 shares at 135     market price 134.2",
        ], "\(output)")

        // A second agent of the influxdb plugin writes the quality topic back as a time series.
        let series = DemoRun.section("Execution quality as a time series in InfluxDB", of: output)
        #expect(series == [
            "  2023-11-14T22:13:30Z AAPL  10 shares at 100.4   market price 101     paid -0.60 vs market",
            "  2023-11-14T22:14:00Z MSFT   5 shares at 370.1   market price 369.75  paid +0.35 vs market",
            "  2023-11-14T22:20:00Z AAPL   2 shares at 101.9   market price 102.5   paid -0.60 vs market",
            "  2023-11-14T22:21:00Z GOOG   7 shares at 135     market price 134.2   paid +0.80 vs market",
        ], "\(output)")

        let hits = DemoRun.section("Top search results", of: output)
        #expect(hits == [
            #"  bob:   "kafka consumer groups"  -> a2 "Kafka consumer groups explained""#,
            #"  carol: "redis sorted sets"      -> a3 "Sorted sets in Redis""#,
            #"  alice: "swift concurrency"      -> a1 "Swift concurrency in practice""#,
        ], "\(output)")

        checkOrderStatistics(output)

        // On Kafka the demo's group resumes where an earlier run on the same broker stopped:
        // a run after one that was killed may handle that run's records too, so only memory:// is exact.
        let summary = output.components(separatedBy: "\n").first { $0.hasPrefix("summary: ") } ?? ""
        if broker == "memory://" {
            #expect(summary == "summary: 13 records sent, 25 handled by 6 agents (0 dead-lettered) on memory://", "\(output)")
        } else {
            #expect(summary.hasPrefix("summary: 13 records sent, ") && summary.contains("(0 dead-lettered) on kafka://"),
                    "\(output)")
        }
        #expect(output.contains("everything it started is stopped"), "\(output)")
        // Not a terminal: no address to open, no wait for Enter.
        #expect(!output.contains("press Enter") && !output.contains("Status page: "), "\(output)")
    }

    /// The order-stats agent's closed windows: however the orders fell into
    /// windows, each symbol's totals over its windows are those of the sample
    /// orders (AAPL: o-1 10 × 100.4 and o-3 2 × 101.9; MSFT: o-2; GOOG: o-4).
    /// Before them, the interactive query (`sluice state list`) of the open
    /// windows printed AAPL's entries ("PARTITION AAPL@<start> → {...}"), or
    /// none when they had closed already.
    private static func checkOrderStatistics(_ output: String) {
        let query = DemoRun.section("Interactive query of order-stats' open windows", of: output)
        let entry = #/^  [0-9]+ AAPL@[0-9]{16} → \{.*"orders":[0-9]+.*\}$/#
        let answered = !query.isEmpty && (query.allSatisfy { $0.wholeMatch(of: entry) != nil }
            || query.first?.hasPrefix("  no open window of AAPL") == true)
        #expect(answered, "\(output)")

        let lines = DemoRun.section("Order statistics per symbol per window on order_stats", of: output)
        let window = #/^  [0-9]{2}:[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2} ([A-Z]+) +([0-9]+) orders?, +([0-9]+) shares, notional ([0-9]+\.[0-9]{2})$/#
        var totals: [String: (orders: Int, shares: Int, notional: Decimal)] = [:]
        for line in lines {
            guard let match = line.wholeMatch(of: window), let orders = Int(match.output.2), let shares = Int(match.output.3),
                  let notional = Decimal(string: String(match.output.4)) else {
                Issue.record("not a window's statistics: \(line)\n\(output)")
                continue
            }
            let symbol = String(match.output.1)
            let soFar = totals[symbol] ?? (0, 0, 0)
            totals[symbol] = (soFar.orders + orders, soFar.shares + shares, soFar.notional + notional)
        }
        #expect(totals.keys.sorted() == ["AAPL", "GOOG", "MSFT"], "\(output)")
        #expect(totals["AAPL"].map { $0.orders == 2 && $0.shares == 12 && $0.notional == Decimal(string: "1207.80")! } == true, "\(output)")
        #expect(totals["MSFT"].map { $0.orders == 1 && $0.shares == 5 && $0.notional == Decimal(string: "1850.50")! } == true, "\(output)")
        #expect(totals["GOOG"].map { $0.orders == 1 && $0.shares == 7 && $0.notional == Decimal(string: "945.00")! } == true, "\(output)")
    }
}
