import ArgumentParser
import Foundation
import SluiceAdmin

/// `sluice state get AGENT TABLE KEY [--json]`: one key of a stateful agent's
/// table (`GET /agents/{name}/tables/{table}/{key}`).
struct StateGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print the value of KEY in a table of a stateful agent of the running host.",
        discussion: """
            Prints PARTITION KEY → VALUE (the value as JSON, or base64:… for bytes that are not JSON).
            Exits 1 when the agent, the table or the key is unknown (404), or when the key's partition
            is owned by another host (409: ask that host).
            """)

    @Argument(help: "The agent's name.")
    var agent: String
    @Argument(help: "The table.")
    var table: String
    @Argument(help: "The table key (its UTF-8 bytes).")
    var key: String
    @OptionGroup var connection: AdminConnectionOptions
    @Flag(help: "Print the admin API's JSON answer.")
    var json = false

    func run() async throws {
        let path = "/agents/\(AdminClient.segment(agent))/tables/\(AdminClient.segment(table))/\(AdminClient.segment(key))"
        let body = try await StateText.get(path, through: connection)
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        let report = try connection.decode(TableLookupReport.self, from: body, of: path)
        print(StateText.line(report.entry))
    }
}
