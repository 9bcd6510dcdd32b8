import ArgumentParser
import Foundation
import SluiceAdmin
import SluiceHost

/// `sluice state get|list`: what stateful agents keep in their tables, read
/// from the running host's admin API (`GET /agents/{name}/tables/...`).
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Query the state tables of the running host's stateful agents.",
        subcommands: [StateGetCommand.self, StateListCommand.self])
}

/// How the state commands print table bytes and failures. Keys and values
/// come from records, so they are escaped (``TerminalText``) like `sluice read`'s.
enum StateText {
    /// One entry: `PARTITION KEY → VALUE`.
    static func line(_ entry: TableEntryReport) -> String {
        "\(entry.partition) \(text(entry.key, isKey: true)) → \(text(entry.value, isKey: false))"
    }

    /// A key as its text, a value as compact JSON; other bytes as `base64:…`.
    static func text(_ bytes: TableBytes, isKey: Bool) -> String {
        switch bytes {
        case .json(.string(let text)) where isKey: TerminalText.escaped(text)
        case .json(let value): TerminalText.escaped(value.jsonText)
        case .raw(let raw): "base64:" + Data(raw).base64EncodedString()
        }
    }

    /// `GET path`; a refusal prints one escaped line on stderr (with what to
    /// do for a key another host owns) and exits 1, like the other operator commands.
    static func get(_ path: String, through connection: AdminConnectionOptions) async throws -> Data {
        let client = try connection.client()
        do {
            return try await client.get(path)
        } catch {
            var line = "sluice: " + TerminalText.escaped(error.description)
            if case .rejected(409, _) = error {
                line += " (run the command with --admin pointing at that host)"
            }
            FileHandle.standardError.write(Data((line + "\n").utf8))
            throw ExitCode(1)
        }
    }
}
