import ArgumentParser
import Foundation
import Logging
import SluiceAdmin
import SluiceHost

/// `sluice try PLUGIN.so [--config SIDECAR] [--topic T] [--file NDJSON]`:
/// runs one plugin in a real host on a private `memory://` broker, sends it
/// records, waits until every one of them is finished and committed, and
/// prints what the agent produced, one JSON line per record. It is how a
/// plugin's own test checks it end to end, without a broker or a running host.
struct TryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "try",
        abstract: "Run a plugin on a private memory:// host, send it records, print what it produces.",
        discussion: """
            The plugin is loaded as `sluice run` loads it (the same checks), from a private copy
            of the file in a temporary plugins directory, with --config as its sidecar. Records
            come from --file (or stdin with - or when --file is omitted), one JSON object per
            line as for `sluice send --file`, and go to --topic (default: the agent's first
            topic, from the sidecar or else the plugin). Once every record is finished and its offset committed, the records the
            agent produced (dead letters included) are printed as JSON lines in topic, partition
            and offset order: {"topic", "partition", "offset", "key", "value", "headers"}.
            Exit status: 0 when every record was finished, 1 when the agent failed or the
            records were not finished within --timeout, 2 for a plugin or input that is refused.
            """)

    @Argument(help: "The plugin file (.so).")
    var plugin: String

    @Option(help: "The agent's sidecar (YAML, as NAME.yaml beside the plugin in a plugins directory).")
    var config: String?

    @Option(help: "The topic the records go to (default: the agent's first topic: the sidecar's, else the plugin's).")
    var topic: String?

    @Option(help: "NDJSON file of records, one JSON object per line (- or omitted: stdin).")
    var file: String?

    @Option(help: "Seconds to wait for every record to be finished.")
    var timeout: Double = 30

    @Option(name: .customLong("allow-env"), help: "An environment variable the sidecar may name (repeatable).")
    var allowedEnvironment: [String] = []

    @Option(help: "Log level of the host: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level \"\(logLevel)\": expected trace, debug, info, notice, warning, error or critical")
        }
        let outcome: PluginTrial.Outcome
        do {
            let trial = try PluginTrial(plugin: plugin, sidecar: config, allowedEnvironment: allowedEnvironment,
                                        logLevel: level)
            defer { trial.remove() }
            let input = try inputRecords(defaultTopic: trial.topics.first)
            outcome = try await trial.run(input.records, topic: input.topic,
                                          timeout: .milliseconds(Int(timeout * 1000)))
        } catch let error as PluginTrialError {
            FileHandle.standardError.write(Data("sluice try: \(error)\n".utf8))
            throw ExitCode(2)
        }
        for line in outcome.lines { print(line) }
        if let failure = outcome.failure {
            FileHandle.standardError.write(Data("sluice try: \(failure)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The records to send and their topic, from --file or stdin.
    private func inputRecords(defaultTopic: String?) throws -> (records: [OutgoingRecord], topic: String) {
        guard let topic = topic ?? defaultTopic else {
            throw PluginTrialError("the plugin declares no topic: name one with --topic")
        }
        let body: Data
        if let file, file != "-" {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw PluginTrialError("cannot read \(file)")
            }
            body = data
        } else {
            body = FileHandle.standardInput.readDataToEndOfFile()
        }
        do {
            return (try ProduceRequest.records(topic: topic, body: body, contentType: "application/x-ndjson"), topic)
        } catch {
            throw PluginTrialError("\(file ?? "stdin"): \(error.message)")
        }
    }
}
