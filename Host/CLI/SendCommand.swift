import ArgumentParser
import Foundation
import Logging
import SluiceAdmin
import SluiceHost

/// `sluice send TOPIC (VALUE [--base64] | --value-file PATH) [--key K] [--header N=V]... | --file NDJSON`:
/// produces records through the running host's admin API (which works on
/// memory:// and kafka:// alike), or with `--broker kafka://…` straight to
/// Kafka through the host's own producer.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Produce records to a topic through the running host's admin API, or straight to Kafka.",
        discussion: """
            VALUE is sent as its UTF-8 bytes; an argument that is not valid UTF-8 is refused rather
            than repaired. For binary values use --value-file PATH (the file's bytes as they are, - for
            stdin) or --base64 (VALUE is the base64 of the bytes). With --file, every line of the file (or - for stdin) is
            one JSON record: {"key": "k", "value": "text or any JSON", "headers": {"name": "value"}}.
            With --broker kafka://host:port the records go straight to Kafka through the host's
            idempotent producer, and the command waits for every delivery report; a missing topic
            is created first, as the host creates its output topics (sluice.topic.partitions).
            librdkafka properties come from the kafka: map of --config (or ./sluice.yaml) and
            SLUICE_KAFKA_* variables, as for `sluice run`.
            """)

    @Argument(help: "The topic.")
    var topic: String

    @Argument(help: "The record's value (omit with --file or --value-file).")
    var value: String?

    @Option(name: .customLong("value-file"), help: "Send this file's bytes, exactly, as the value (- reads stdin).")
    var valueFile: String?

    @Flag(help: "VALUE is base64: send the bytes it encodes.")
    var base64 = false

    @Option(help: "The record's key.")
    var key: String?

    @Option(name: .customLong("header"), help: "A header NAME=VALUE (repeatable).")
    var headers: [String] = []

    @Option(help: "NDJSON file of records, one JSON object per line (- reads stdin).")
    var file: String?

    @Option(help: "Produce straight to this Kafka cluster (kafka://host:port[,host:port...]) instead of through the admin API.")
    var broker: String?

    @Option(help: "With --broker: seconds to wait for the broker to acknowledge every record.")
    var timeout: Int = 30

    @OptionGroup var connection: AdminConnectionOptions

    @Flag(help: "Print the admin API's JSON answer.")
    var json = false

    func validate() throws {
        if timeout < 1 { throw ValidationError("--timeout \(timeout): expected at least 1 second") }
        let sources = [value != nil, valueFile != nil, file != nil].filter { $0 }.count
        if sources > 1 { throw ValidationError("give one of VALUE, --value-file or --file, not several") }
        if sources == 0 { throw ValidationError("missing VALUE (or --value-file PATH, or --file NDJSON)") }
        if base64, value == nil { throw ValidationError("--base64 applies to VALUE") }
        if file != nil, key != nil || !headers.isEmpty {
            throw ValidationError("--key and --header apply to VALUE; with --file, put them in each line")
        }
        if let position = RawArguments.firstInvalidUTF8() {
            throw ValidationError("argument \(position) is not valid UTF-8 and would not be sent as given; "
                + "send binary values with --value-file PATH or --base64")
        }
        for header in headers where !header.contains("=") {
            throw ValidationError("--header \"\(header)\": expected NAME=VALUE")
        }
    }

    func run() async throws {
        let (body, contentType) = try requestBody()
        if let broker {
            try await sendToKafka(broker, body: body, contentType: contentType)
            return
        }
        let client = try connection.client()
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

    /// `--broker`: the records parsed as the admin API parses them, produced
    /// through a `KafkaTransport`'s producer; waits for every delivery report.
    private func sendToKafka(_ address: String, body: Data, contentType: String) async throws {
        let settings: KafkaSettings
        let records: [OutgoingRecord]
        do {
            settings = try kafkaSettings(address)
            records = try ProduceRequest.records(topic: topic, body: body, contentType: contentType)
        } catch let error as AdminHTTPError {
            FileHandle.standardError.write(Data("sluice: \(error.message)\n".utf8))
            throw ExitCode(2)
        } catch {
            FileHandle.standardError.write(Data("sluice: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var logger = Logger(label: "sluice.send") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .error
        let transport = try KafkaTransport(settings: settings, logger: logger)
        let outcome: ProduceOutcome
        do {
            outcome = try await ProduceOutcome.produce(records, through: transport.producer, timeout: .seconds(timeout))
        } catch {
            FileHandle.standardError.write(Data("sluice: \(address) topic \(topic): \(error.message)\n".utf8))
            throw ExitCode(1)
        }
        if json {
            let answer = ProduceResponse(topic: topic, produced: outcome.delivered)
            print(String(decoding: try JSONEncoder().encode(answer), as: UTF8.self))
        } else {
            print("sent \(outcome.delivered) record\(outcome.delivered == 1 ? "" : "s") to \(topic) on \(address)")
        }
        if outcome.failed > 0 {
            FileHandle.standardError.write(Data(
                "sluice: \(outcome.failed) of \(records.count) records were not delivered: \(outcome.firstError ?? "no reason given")\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The transport settings for `--broker`: its servers, with the `kafka:`
    /// map of the configuration file and environment.
    private func kafkaSettings(_ address: String) throws -> KafkaSettings {
        let parsed = try BrokerAddress(parsing: address)
        guard let servers = parsed.bootstrapServers else {
            throw ValidationError("--broker \(address): memory:// lives inside a running host; omit --broker to send through its admin API")
        }
        let configuration = try ConfigurationLoader.loadHost(file: connection.configurationFile, environment: ProcessInfo.processInfo.environment)
        return try KafkaSettings(bootstrapServers: servers, properties: configuration.kafka)
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
        var record: [String: Any] = [:]
        let bytes = try valueBytes()
        // Text goes as a JSON string; other bytes (and a leading U+FEFF, which
        // JSON readers may drop) as base64, so the record holds exactly these bytes.
        if let text = String(validating: bytes, as: UTF8.self), !text.hasPrefix("\u{FEFF}") {
            record["value"] = text
        } else {
            record["value_base64"] = Data(bytes).base64EncodedString()
        }
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

    /// The value's bytes: VALUE's UTF-8, the bytes VALUE encodes (`--base64`), or `--value-file`'s.
    private func valueBytes() throws -> [UInt8] {
        if let valueFile {
            if valueFile == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
            guard let read = FileManager.default.contents(atPath: valueFile) else {
                throw ValidationError("--value-file \(valueFile): cannot read the file")
            }
            return Array(read)
        }
        let text = value ?? ""
        guard base64 else { return Array(text.utf8) }
        guard let decoded = Data(base64Encoded: text) else {
            throw ValidationError("--base64: VALUE is not valid base64")
        }
        return Array(decoded)
    }
}
