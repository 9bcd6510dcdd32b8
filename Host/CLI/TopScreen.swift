import Foundation

/// The interactive screen of `sluice top` as lines of text for a terminal of
/// a given size: a title, the host line, a problem line when the last poll
/// failed, then one row per agent. Pure (no terminal, no clock of its own).
///
/// Every line fits `width` characters and there are at most `height` lines;
/// agents that do not fit are counted on the last line. Names and error texts
/// come from plugins and records, so their control characters are escaped
/// (``TerminalText``): they cannot move the cursor or recolour the screen.
struct TopScreen: Sendable {
    /// Where the figures come from, shown in the title.
    var address: String
    /// Seconds between polls, shown in the title.
    var intervalSeconds: Double

    /// The column titles, in order.
    static let columns = ["AGENT", "VERSION", "STATE", "PARTITIONS", "REC/S", "PROCESSED", "LAG", "IN-FLIGHT",
                          "RETRIED", "DLQ", "LAST ERROR"]
    /// Columns whose figures are right-aligned.
    private static let numeric: Set<Int> = [4, 5, 6, 7, 8, 9]

    /// The screen for `figures` (nil: nothing read yet) at `now`; `problem`
    /// is why the last poll failed (the figures shown are then the last good ones).
    func lines(figures: TopFigures?, problem: String?, now: Date, width: Int, height: Int) -> [String] {
        let width = max(1, width)
        let height = max(1, height)
        let every = TopFormat.rate(intervalSeconds).replacingOccurrences(of: ".0", with: "")
        var lines = ["sluice top - \(TerminalText.escaped(address)) - every \(every)s - \(TopFormat.clock(now)) UTC - q quits"]
        if let problem {
            // The retry first: a long reason is cut at the window's edge.
            lines.append("! retrying every \(every)s: \(TerminalText.escaped(problem))")
        }
        guard let figures else {
            if problem == nil { lines.append("waiting for the first answer…") }
            return Self.fit(lines, width: width, height: height)
        }
        lines.append(Self.hostLine(figures.host))
        lines.append("")
        guard !figures.agents.isEmpty else {
            lines.append("no agents running")
            return Self.fit(lines, width: width, height: height)
        }
        let rows = figures.agents.map(Self.row)
        let widths = Self.columns.indices.map { column in
            ([Self.columns] + rows).map { $0[column].count }.max() ?? 0
        }
        let table = ([Self.columns] + rows).map { cells in
            cells.enumerated().map { column, cell in
                if column == cells.count - 1 { return cell }
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return Self.numeric.contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        lines.append(table[0])
        let room = height - lines.count
        var agentLines = Array(table.dropFirst())
        if agentLines.count > room, room >= 1 {
            let hidden = agentLines.count - (room - 1)
            agentLines = Array(agentLines.prefix(room - 1)) + ["… \(hidden) more agent\(hidden == 1 ? "" : "s") (enlarge the window)"]
        }
        lines += agentLines
        return Self.fit(lines, width: width, height: height)
    }

    /// `host  up 5m 03s  memory://  agents 2/2 running  rec/s 12.5  processed 1200  lag 0  in-flight 0  retried 0  dlq 1`.
    static func hostLine(_ host: TopFigures.Host) -> String {
        var parts = ["host", "up \(TopFormat.uptime(host.uptimeSeconds))",
                     TerminalText.escaped(host.transport ?? "transport unknown"),
                     "agents \(host.running)/\(host.agents) running", "rec/s \(TopFormat.rate(host.recordsPerSecond))",
                     "processed \(host.processed)", "lag \(TopFormat.count(host.consumerLag))",
                     "in-flight \(host.inFlight)", "retried \(host.retried)", "dlq \(host.deadLettered)"]
        if host.refusedFiles > 0 { parts.append("refused files \(host.refusedFiles)") }
        return parts.joined(separator: "  ")
    }

    /// One agent's cells, in the order of ``columns``.
    static func row(_ agent: TopFigures.Agent) -> [String] {
        let state = agent.stateReason.map { "\(agent.state) (\($0))" } ?? agent.state
        // A long reason would push every figure off the screen; the full one is in `sluice agents`.
        return [TerminalText.escaped(agent.name), TerminalText.escaped(agent.version),
                clipped(TerminalText.escaped(state), to: 32), TerminalText.escaped(agent.partitions), TopFormat.rate(agent.recordsPerSecond), "\(agent.processed)",
                TopFormat.count(agent.consumerLag), "\(agent.inFlight)", "\(agent.retried)", "\(agent.deadLettered)",
                agent.lastError.map(TerminalText.escaped) ?? "-"]
    }

    /// `text` cut to `limit` characters, the last one `…` when cut.
    static func clipped(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// At most `height` lines of at most `width` characters (a cut line ends in `…`).
    static func fit(_ lines: [String], width: Int, height: Int) -> [String] {
        lines.prefix(height).map { line in
            clipped(line, to: width)
        }
    }
}
