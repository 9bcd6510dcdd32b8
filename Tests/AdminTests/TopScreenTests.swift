import Foundation
import SluiceAdmin
@testable import SluiceCLI
import Testing

/// `sluice top`'s figures, screen and plain lines as functions of `GET /agents` answers.
@Suite("sluice top: figures, screen and plain lines")
struct TopScreenTests {
    /// An answer of `GET /agents` with one agent per entry (name, processed, dead-lettered, last error).
    private func report(_ agents: [(String, Int, Int, String?)], uptime: Double? = 303, refused: Int = 0) throws -> AgentsReport {
        let entries = agents.map { name, processed, dead, error in
            let lastError = error.map { "\"\(JSONEscaped($0))\"" } ?? "null"
            return """
                {"name": "\(name)", "version": "1.2.0", "sha256": "ab", "state": "running", "state_reason": null,
                 "partitions": [{"topic": "input", "partition": 0}, {"topic": "input", "partition": 1}],
                 "in_flight": 2, "processed": \(processed), "dead_lettered": \(dead), "retried": 1,
                 "last_error": \(lastError), "lag": 7, "last_reload": null, "refusal": null}
                """
        }
        let refusals = (0..<refused).map { #"{"file": "plugins/bad\#($0).so", "reason": "truncated", "detail": "short", "at": "2026-01-01T00:00:00Z"}"# }
        let host = uptime.map { #"{"transport": "memory://", "started_at": "2026-01-01T00:00:00Z", "uptime_seconds": \#($0)}"# } ?? "null"
        let json = #"{"agents": [\#(entries.joined(separator: ","))], "refused": [\#(refusals.joined(separator: ","))], "reloads": [], "host": \#(host)}"#
        return try JSONDecoder().decode(AgentsReport.self, from: Data(json.utf8))
    }

    private func JSONEscaped(_ text: String) -> String {
        let data = try! JSONEncoder().encode(text)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    @Test("records per second come from two polls of the cumulative counters; totals sum the agents")
    func rates() throws {
        let first = try report([("alpha", 100, 0, nil), ("beta", 10, 0, nil)])
        let second = try report([("alpha", 150, 10, nil), ("beta", 5, 0, nil)])
        let initial = TopFigures(current: first)
        #expect(initial.agents.map(\.recordsPerSecond) == [nil, nil])
        let figures = TopFigures(current: second, previous: first, elapsedSeconds: 2)
        #expect(figures.agents[0].recordsPerSecond == 30)  // (150 + 10 - 100) / 2 s
        #expect(figures.agents[1].recordsPerSecond == nil)  // the counter went back: a reload
        #expect(figures.host.recordsPerSecond == 30)
        #expect(figures.host.processed == 155 && figures.host.deadLettered == 10 && figures.host.retried == 2)
        #expect(figures.host.consumerLag == 14 && figures.host.inFlight == 4)
        #expect(figures.host.agents == 2 && figures.host.running == 2)
        #expect(figures.host.transport == "memory://" && figures.host.uptimeSeconds == 303)
        #expect(figures.agents[0].partitions == "input[0-1]")
    }

    @Test("the screen: title, host line, a row per agent whose columns hold the figures")
    func screen() throws {
        let figures = TopFigures(current: try report([("alpha", 150, 10, nil), ("beta", 5, 0, "timeout")]),
                                 previous: try report([("alpha", 100, 0, nil), ("beta", 5, 0, "timeout")]),
                                 elapsedSeconds: 2)
        let screen = TopScreen(address: "http://127.0.0.1:6066", intervalSeconds: 1)
        let lines = screen.lines(figures: figures, problem: nil, now: Date(timeIntervalSince1970: 3723),
                                 width: 200, height: 30)
        #expect(lines[0] == "sluice top - http://127.0.0.1:6066 - every 1s - 01:02:03 UTC - q quits")
        #expect(lines[1] == "host  up 5m 03s  memory://  agents 2/2 running  rec/s 30.0  processed 155  lag 14  "
                + "in-flight 4  retried 2  dlq 10")
        let header = try #require(lines.first { $0.hasPrefix("AGENT") })
        #expect(header.split(separator: " ", omittingEmptySubsequences: true).count == 12)  // LAST ERROR is two words
        let alpha = try #require(lines.first { $0.hasPrefix("alpha ") }).split(separator: " ").map(String.init)
        #expect(alpha == ["alpha", "1.2.0", "running", "input[0-1]", "30.0", "150", "7", "2", "1", "10", "-"])
        let beta = try #require(lines.first { $0.hasPrefix("beta ") }).split(separator: " ").map(String.init)
        #expect(beta == ["beta", "1.2.0", "running", "input[0-1]", "0.0", "5", "7", "2", "1", "0", "timeout"])
    }

    @Test("every line fits the width and the lines fit the height; hidden agents are counted")
    func fitsTheWindow() throws {
        let agents = (0..<12).map { ("agent-\($0)", 1000 * $0, 0, String?.some(String(repeating: "x", count: 300))) }
        let figures = TopFigures(current: try report(agents))
        let screen = TopScreen(address: "http://127.0.0.1:6066", intervalSeconds: 0.5)
        for (width, height) in [(40, 10), (80, 24), (20, 3), (1, 1)] {
            let lines = screen.lines(figures: figures, problem: "cannot reach the admin API", now: Date(),
                                     width: width, height: height)
            #expect(lines.count <= height)
            #expect(lines.allSatisfy { $0.count <= width }, "\(width)x\(height): \(lines)")
        }
        let lines = screen.lines(figures: figures, problem: nil, now: Date(), width: 80, height: 10)
        #expect(lines.count == 10)
        // Title, host, blank, header, 5 agents, then the count of the other 7.
        #expect(lines.last == "… 7 more agents (enlarge the window)", "\(lines)")
        #expect(lines[0].contains("every 0.5s"))
    }

    @Test("control characters from plugins and records are escaped, never sent to the terminal")
    func controlCharactersAreEscaped() throws {
        let hostile = "boom\u{1B}[2J\u{1B}]0;owned\u{07}\r\n\u{9B}31m\u{202E}"
        let figures = TopFigures(current: try report([("alpha", 1, 0, hostile)]))
        let lines = TopScreen(address: "http://h\u{1B}:1", intervalSeconds: 1)
            .lines(figures: figures, problem: "failed\u{1B}[H", now: Date(), width: 300, height: 30)
        let plain = TopPlainLines.lines(figures, at: Date())
        for line in lines + plain {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" },
                    "\(line.debugDescription)")
        }
        let row = try #require(lines.first { $0.hasPrefix("alpha ") })
        #expect(row.hasSuffix(#"boom\x1b[2J\x1b]0;owned\x07\x0d\x0a\u{9b}31m\u{202e}"#), "\(row)")
        #expect(lines.contains(#"! retrying every 1s: failed\x1b[H"#), "\(lines)")
    }

    @Test("plain lines: a timestamped host line and one line per agent, as key=value pairs")
    func plainLines() throws {
        let figures = TopFigures(current: try report([("alpha", 150, 10, "two words \"quoted\""), ("beta", 5, 0, nil)]),
                                 previous: try report([("alpha", 100, 0, nil), ("beta", 5, 0, nil)]), elapsedSeconds: 2)
        let lines = TopPlainLines.lines(figures, at: Date(timeIntervalSince1970: 1_800_000_000.25))
        #expect(lines == [
            "2027-01-15T08:00:00.250Z host uptime_s=303 transport=memory:// agents=2 running=2 rec_per_s=30.0 processed=155 "
                + "lag=14 in_flight=4 retried=2 dead_lettered=10 refused_files=0",
            "2027-01-15T08:00:00.250Z agent=alpha version=1.2.0 state=running partitions=input[0-1] rec_per_s=30.0 "
                + #"processed=150 lag=7 in_flight=2 retried=1 dead_lettered=10 last_error="two words \"quoted\"""#,
            "2027-01-15T08:00:00.250Z agent=beta version=1.2.0 state=running partitions=input[0-1] rec_per_s=0.0 "
                + "processed=5 lag=7 in_flight=2 retried=1 dead_lettered=0 last_error=-",
        ])
    }

    @Test("a host that does not report host figures or lag shows - for them")
    func olderHost() throws {
        let json = #"{"agents": [{"name": "a", "version": "1", "sha256": "x", "state": "paused", "state_reason": "by an operator", "partitions": [], "in_flight": 0, "processed": 0, "dead_lettered": 0, "retried": 0, "last_error": null, "last_reload": null, "refusal": null}], "refused": [], "reloads": []}"#
        let figures = TopFigures(current: try JSONDecoder().decode(AgentsReport.self, from: Data(json.utf8)))
        #expect(figures.host.transport == nil && figures.host.uptimeSeconds == nil && figures.host.consumerLag == nil)
        #expect(figures.host.running == 0)
        let lines = TopScreen(address: "x", intervalSeconds: 2).lines(figures: figures, problem: nil, now: Date(), width: 200, height: 10)
        #expect(lines[1].hasPrefix("host  up -  transport unknown  agents 0/1 running  rec/s -  processed 0  lag -"), "\(lines[1])")
        let row = try #require(lines.first { $0.hasPrefix("a ") })
        #expect(row.contains("paused (by an operator)") && row.contains(" - "), "\(row)")
    }

    @Test("uptime and rate forms")
    func formats() {
        #expect(TopFormat.uptime(42) == "42s")
        #expect(TopFormat.uptime(303) == "5m 03s")
        #expect(TopFormat.uptime(7500) == "2h 05m")
        #expect(TopFormat.uptime(3 * 86_400 + 4 * 3600 + 59) == "3d 04h")
        #expect(TopFormat.uptime(nil) == "-")
        #expect(TopFormat.rate(0) == "0.0" && TopFormat.rate(12.54) == "12.5" && TopFormat.rate(1234.4) == "1234")
    }
}
