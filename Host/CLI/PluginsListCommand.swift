import ArgumentParser
import Foundation
import SluiceAdmin

/// `sluice plugins list [--json]`: the plugins the running host's agents
/// use, their versions, and which agents run each, from its admin API.
struct PluginsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the plugins the running host uses, their versions and the agents that run each.")

    @OptionGroup var connection: AdminConnectionOptions

    @Flag(help: "Print the admin API's JSON (GET /plugins) instead of a table.")
    var json = false

    func run() async throws {
        let body = try await connection.get("/plugins")
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        print(Self.table(try connection.decode(PluginsReport.self, from: body, of: "/plugins")))
    }

    /// One row per plugin: name, version, ABI, Swift release, agents, file.
    static func table(_ report: PluginsReport) -> String {
        guard !report.plugins.isEmpty else { return "no plugins in use" }
        let header = ["PLUGIN", "VERSION", "ABI", "SWIFT", "AGENTS", "FILE"]
        let rows = report.plugins.map { plugin in
            [TerminalText.escaped(plugin.name), TerminalText.escaped(plugin.version), plugin.abi,
             plugin.swiftRelease ?? "-", plugin.agents.joined(separator: ","), TerminalText.escaped(plugin.file)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
