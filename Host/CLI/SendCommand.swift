import ArgumentParser
import Foundation
import SluiceAdmin

/// `sluice send TOPIC VALUE [--key K] [--header N=V]... | --file NDJSON`:
/// produces records through the running host's admin API (which works on
/// memory:// and kafka:// alike).
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Produce records to a topic through the running host's admin API.",
        discussion: """
            VALUE is sent as its UTF-8 bytes. With --file, every line of the file (or - for stdin) is
            one JSON record: {"key": "k", "value": "text or any JSON", "headers": {"name": "value"}}.
            Producing straight to Kafka (--broker) is not available yet.
            """)

    @Argument(help: "The topic.")
    var topic: String

    @Argument(help: "The record's value (omit with --file).")
    var value: String?

    @Option(help: "The record's key.")
    var key: String?

    @Option(name: .customLong("header"), help: "A header NAME=VALUE (repeatable).")
    var headers: [String] = []

    @Option(help: "NDJSON file of records, one JSON object per line (- reads stdin).")
    var file: String?

    @OptionGroup var connection: AdminConnectionOptions

    @Flag(help: "Print the admin API's JSON answer.")
    var json = false

    func validate() throws {
        if file != nil, value != nil { throw ValidationError("give either VALUE or --file, not both") }
        if file == nil, value == nil { throw ValidationError("missing VALUE (or --file NDJSON)") }
        if file != nil, key != nil || !headers.isEmpty {
            throw ValidationError("--key and --header apply to VALUE; with --file, put them in each line")
        }
        for header in headers where !header.contains("=") {
            throw ValidationError("--header \"\(header)\": expected NAME=VALUE")
        }
    }

    func run() async throws {
        let client = try connection.client()
        let (body, contentType) = try requestBody()
        let answer: Data
        do {
            answer = try await client.post("/topics/\(AdminClient.segment(topic))/messages", body: body, contentType: contentType)
        } catch {
            throw failOperatorCommand(error)
        }
        if json {
            print(String(decoding: answer, as: UTF8.self), terminator: "")
        } else if let response = try? JSONDecoder().decode(ProduceResponse.self, from: answer) {
            print("sent \(response.produced) record\(response.produced == 1 ? "" : "s") to \(response.topic)")
        } else {
            print("sent")
        }
    }

    private func requestBody() throws -> (Data, String) {
        if let file {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let read = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("--file \(file): cannot read the file")
                }
                data = read
            }
            return (data, "application/x-ndjson")
        }
        var record: [String: Any] = ["value": value ?? ""]
        if let key { record["key"] = key }
        if !headers.isEmpty {
            var fields: [String: String] = [:]
            for header in headers {
                let parts = header.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                fields[String(parts[0])] = String(parts[1])
            }
            record["headers"] = fields
        }
        return (try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), "application/json")
    }
}
