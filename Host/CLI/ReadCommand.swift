import ArgumentParser
import Foundation
import SluiceAdmin

/// `sluice read TOPIC [--json]`: every record of a topic of the running
/// host's `memory://` broker, through its admin API (`GET /topics/{topic}/messages`).
struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Print the records of a topic of the running host (memory:// only).",
        discussion: "One line per record: PARTITION/OFFSET KEY → VALUE, then the sluice.error header if any.")

    @Argument(help: "The topic.")
    var topic: String

    @OptionGroup var connection: AdminConnectionOptions

    @Flag(help: "Print the admin API's JSON answer.")
    var json = false

    func run() async throws {
        let path = "/topics/\(AdminClient.segment(topic))/messages"
        let body = try await connection.get(path)
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        let report = try connection.decode(TopicRecordsReport.self, from: body, of: path)
        for record in report.records {
            var line = "\(record.partition)/\(record.offset) \(record.key ?? "null") → \(record.value ?? "null")"
            if let reason = record.headers["sluice.error"] { line += "   [reason: \(reason)]" }
            print(line)
        }
    }
}
