import Foundation

/// `sluice top` when stdout is not a terminal (a pipe, a file, a log
/// collector): per poll, one `host` line and one `agent` line per agent, each
/// starting with the time of the poll and made of `key=value` pairs (logfmt),
/// so a log search or `grep agent=recorder` finds them.
///
/// ```
/// 2026-12-04T16:40:12.250Z host uptime_s=303 transport=memory:// agents=2 running=2 rec_per_s=12.5 processed=1200 lag=0 in_flight=0 retried=0 dead_lettered=1 refused_files=0
/// 2026-12-04T16:40:12.250Z agent=recorder version=1.0.0 state=running partitions=input[0-3] rec_per_s=12.5 processed=1200 lag=0 in_flight=0 retried=0 dead_lettered=1 last_error=-
/// ```
///
/// Unknown figures are `-`. Values with spaces, quotes or `=` are quoted with
/// `"`; control characters are escaped (``TerminalText``) in every value.
enum TopPlainLines {
    /// The lines of one poll taken at `time`.
    static func lines(_ figures: TopFigures, at time: Date) -> [String] {
        let stamp = TopFormat.timestamp(time)
        let host = figures.host
        var lines = [stamp + " host " + pairs([
            ("uptime_s", host.uptimeSeconds.map { String(Int($0)) } ?? "-"), ("transport", host.transport ?? "-"),
            ("agents", "\(host.agents)"), ("running", "\(host.running)"),
            ("rec_per_s", TopFormat.rate(host.recordsPerSecond)), ("processed", "\(host.processed)"),
            ("lag", TopFormat.count(host.consumerLag)), ("in_flight", "\(host.inFlight)"),
            ("retried", "\(host.retried)"), ("dead_lettered", "\(host.deadLettered)"),
            ("refused_files", "\(host.refusedFiles)"),
        ])]
        for agent in figures.agents {
            var fields = [("agent", agent.name), ("version", agent.version), ("state", agent.state)]
            if let reason = agent.stateReason { fields.append(("state_reason", reason)) }
            fields += [
                ("partitions", agent.partitions), ("rec_per_s", TopFormat.rate(agent.recordsPerSecond)),
                ("processed", "\(agent.processed)"), ("lag", TopFormat.count(agent.consumerLag)),
                ("in_flight", "\(agent.inFlight)"), ("retried", "\(agent.retried)"),
                ("dead_lettered", "\(agent.deadLettered)"), ("last_error", agent.lastError ?? "-"),
            ]
            lines.append(stamp + " " + pairs(fields))
        }
        return lines
    }

    /// The line of a failed poll at `time` (stderr).
    static func failure(_ problem: String, at time: Date) -> String {
        TopFormat.timestamp(time) + " " + pairs([("error", problem)])
    }

    /// `key=value key="two words"`.
    static func pairs(_ fields: [(String, String)]) -> String {
        fields.map { key, value in "\(key)=\(quoted(value))" }.joined(separator: " ")
    }

    /// `value` escaped for a terminal, and quoted when it holds a space, `"` or `=` (or is empty).
    static func quoted(_ value: String) -> String {
        let escaped = TerminalText.escaped(value)
        guard escaped.isEmpty || escaped.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return escaped }
        return "\"" + escaped.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
