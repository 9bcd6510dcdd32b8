import ArgumentParser
import Foundation
import SluiceAdmin

/// `sluice state list AGENT TABLE [--prefix P] [--limit N] [--json]`: the
/// entries of a stateful agent's table (`GET /agents/{name}/tables/{table}`).
struct StateListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the entries of a table of a stateful agent of the running host.",
        discussion: """
            One line per entry, PARTITION KEY → VALUE, partition by partition and in key order within
            each; only the partitions this host owns. When more entries match than --limit, a line on
            stderr says so.
            """)

    @Argument(help: "The agent's name.")
    var agent: String
    @Argument(help: "The table.")
    var table: String
    @Option(help: "Only keys that start with this text.")
    var prefix: String?
    @Option(help: "The most entries to print, 1 to 1000 (default 100).")
    var limit: Int?
    @OptionGroup var connection: AdminConnectionOptions
    @Flag(help: "Print the admin API's JSON answer.")
    var json = false

    func validate() throws {
        if let limit, !(1...1000).contains(limit) { throw ValidationError("--limit must be from 1 to 1000, found \(limit)") }
    }

    func run() async throws {
        var query: [String] = []
        if let prefix { query.append("prefix=" + AdminClient.segment(prefix)) }
        if let limit { query.append("limit=\(limit)") }
        let path = "/agents/\(AdminClient.segment(agent))/tables/\(AdminClient.segment(table))"
            + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let body = try await StateText.get(path, through: connection)
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        let report = try connection.decode(TableEntriesReport.self, from: body, of: path)
        for entry in report.entries { print(StateText.line(entry)) }
        if report.truncated {
            FileHandle.standardError.write(Data("sluice: more than \(report.limit) entries match; showing the first \(report.limit) (raise --limit, at most 1000, or narrow --prefix)\n".utf8))
        }
    }
}
