import ArgumentParser
import Foundation
import SluiceAdmin

/// `sluice agents [--json]`: the agents of the running host, from its admin API.
struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "List the agents of the running host: state, partitions, counts, last error.")

    @OptionGroup var connection: AdminConnectionOptions

    @Flag(help: "Print the admin API's JSON (GET /agents) instead of a table.")
    var json = false

    func run() async throws {
        let body = try await connection.get("/agents")
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        print(Self.table(try connection.decode(AgentsReport.self, from: body, of: "/agents")))
    }

    /// The human-readable form: one row per agent, then refused files and refused reloads.
    static func table(_ report: AgentsReport) -> String {
        var lines: [String] = []
        if report.agents.isEmpty {
            lines.append("no agents running")
        } else {
            let header = ["NAME", "PLUGIN", "VERSION", "STATE", "PARTITIONS", "IN-FLIGHT", "PROCESSED", "DLQ", "RETRIED", "LAST ERROR"]
            let rows = report.agents.map { agent -> [String] in
                let state = agent.stateReason.map { "\(agent.state) (\($0))" } ?? agent.state
                return [agent.name, agent.plugin, agent.version, state, partitions(agent.partitions), String(agent.inFlight),
                        String(agent.processed), String(agent.deadLettered), String(agent.retried),
                        agent.lastError ?? "-"]
            }
            let widths = header.indices.map { column in
                ([header] + rows).map { $0[column].count }.max() ?? 0
            }
            for row in [header] + rows {
                lines.append(row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }.joined(separator: "  "))
            }
        }
        for agent in report.agents {
            if let state = stateLine(agent) { lines.append("\(agent.name): \(state)") }
        }
        for agent in report.agents where agent.pluginCrashes > 0 {
            lines.append(agent.isolation == "process"
                ? "\(agent.name): its plugin crashed its runner process \(agent.pluginCrashes) time(s); the host replaced it each time (docs/isolation.md)"
                : "\(agent.name): its plugin crashed the host \(agent.pluginCrashes) time(s) (crash quarantine: docs/isolation.md)")
        }
        for agent in report.agents {
            if let reload = agent.lastReload, reload.outcome == "refused" {
                lines.append("\(agent.name): last reload refused (still running \(agent.version)): \(reload.reason ?? "")")
            }
        }
        for refusal in report.refused {
            lines.append("refused at \(refusal.at): \(refusal.file): \(refusal.detail)")
        }
        return lines.joined(separator: "\n")
    }

    /// A stateful agent's tables and its restores under way:
    /// `tables counts, windows; restoring p3 12,000/50,000`; nil for a stateless agent.
    static func stateLine(_ agent: AgentReport) -> String? {
        guard !agent.tables.isEmpty else { return nil }
        var text = "tables " + agent.tables.joined(separator: ", ")
        let restoring = agent.restores.filter { !$0.done }
        if !restoring.isEmpty {
            let topics = Set(restoring.map(\.topic))
            text += "; restoring " + restoring.map { restore in
                // The topic only when the agent restores partitions of more than one.
                (topics.count > 1 ? "\(restore.topic) " : "") + "p\(restore.partition) "
                    + "\(grouped(restore.restored))/\(grouped(restore.total))"
            }.joined(separator: ", ")
        }
        return text
    }

    /// `12,000`: digits in groups of three, whatever the locale.
    static func grouped(_ number: Int64) -> String {
        let digits = String(number.magnitude)
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (number < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    /// `input[0-3,5]` style, per topic.
    static func partitions(_ partitions: [AgentReport.Partition]) -> String {
        guard !partitions.isEmpty else { return "-" }
        let byTopic = Dictionary(grouping: partitions, by: \.topic)
        return byTopic.keys.sorted().map { topic in
            let numbers = byTopic[topic]!.map(\.partition).sorted()
            var ranges: [String] = []
            var start = numbers[0], end = numbers[0]
            for number in numbers.dropFirst() {
                if number == end + 1 { end = number; continue }
                ranges.append(start == end ? "\(start)" : "\(start)-\(end)")
                start = number
                end = number
            }
            ranges.append(start == end ? "\(start)" : "\(start)-\(end)")
            return "\(topic)[\(ranges.joined(separator: ","))]"
        }.joined(separator: " ")
    }
}
