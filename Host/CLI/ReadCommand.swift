import ArgumentParser
import Foundation
import SluiceAdmin

/// `sluice read TOPIC [--json] [--raw]`: every record of a topic of the running
/// host's `memory://` broker, through its admin API (`GET /topics/{topic}/messages`).
/// Control characters in keys, values and reasons are escaped (``TerminalText``)
/// unless `--raw`: a record must not be able to drive the operator's terminal.
struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Print the records of a topic of the running host (memory:// only).",
        discussion: """
            One line per record: PARTITION/OFFSET KEY → VALUE, then the sluice.error header if any.
            Control characters are escaped (ESC as \\x1b, newline as \\x0a, C1 and bidirectional
            controls as \\u{202e}, a backslash as \\\\) unless --raw.
            """)

    @Argument(help: "The topic.")
    var topic: String

    @OptionGroup var connection: AdminConnectionOptions

    @Flag(help: "Print the admin API's JSON answer.")
    var json = false

    @Flag(help: "Print keys, values and reasons as they are, control characters included.")
    var raw = false

    func run() async throws {
        let path = "/topics/\(AdminClient.segment(topic))/messages"
        let body = try await connection.get(path)
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        let report = try connection.decode(TopicRecordsReport.self, from: body, of: path)
        let raw = self.raw
        let shown: (String) -> String = { raw ? $0 : TerminalText.escaped($0) }
        for record in report.records {
            var line = "\(record.partition)/\(record.offset) \(record.key.map(shown) ?? "null") → \(record.value.map(shown) ?? "null")"
            if let reason = record.headers["sluice.error"] { line += "   [reason: \(shown(reason))]" }
            print(line)
        }
    }
}
