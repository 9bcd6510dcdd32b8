import ArgumentParser
import Foundation
import SluiceAdmin

/// `sluice read TOPIC [--limit N] [--json] [--raw]`: the records of a topic of the
/// running host's `memory://` broker, through its admin API (`GET /topics/{topic}/messages`),
/// page after page (the API answers at most 1,000 records per request and says where
/// the next page starts), so a large topic is read in bounded pieces.
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

    @Option(help: "Stop after this many records (default: all).")
    var limit: Int?

    @Flag(help: "Print the records as one JSON document, {\"topic\", \"records\"} (the API's record shape).")
    var json = false

    @Flag(help: "Print keys, values and reasons as they are, control characters included.")
    var raw = false

    /// The API's largest page.
    private static let pageSize = 1_000

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, found \(limit)") }
    }

    func run() async throws {
        let records = try await readRecords()
        if json {
            let report = TopicRecordsReport(topic: topic, records: records)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        let raw = self.raw
        let shown: (String) -> String = { raw ? $0 : TerminalText.escaped($0) }
        for record in records {
            var line = "\(record.partition)/\(record.offset) \(record.key.map(shown) ?? "null") → \(record.value.map(shown) ?? "null")"
            if let reason = record.headers["sluice.error"] { line += "   [reason: \(shown(reason))]" }
            print(line)
        }
    }

    /// Follows the API's `next` position from the first page to the last (or to `--limit`).
    private func readRecords() async throws -> [TopicRecordsReport.Record] {
        let base = "/topics/\(AdminClient.segment(topic))/messages"
        var records: [TopicRecordsReport.Record] = []
        var position: TopicRecordsPage.Position?
        repeat {
            let wanted = min(Self.pageSize, (limit ?? .max) - records.count)
            var path = "\(base)?limit=\(wanted)"
            if let position { path += "&partition=\(position.partition)&offset=\(position.offset)" }
            let page = try connection.decode(TopicRecordsPage.self, from: try await connection.get(path), of: path)
            records += page.records
            position = page.next
        } while position != nil && records.count < (limit ?? .max)
        return records
    }
}
