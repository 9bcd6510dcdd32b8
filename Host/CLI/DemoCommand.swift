import ArgumentParser
import Foundation
import Logging
import SluiceHost

/// `sluice demo`: the quick start on the embedded `memory://` transport. It
/// loads the plugins in a directory (`tools/demo` puts the two examples
/// there), feeds them sample records, waits until every agent has caught up,
/// prints what came out, and stops gracefully.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the example agents on memory:// with sample records and print what happened.")

    @Option(help: "Plugins directory holding the example plugins (tools/demo builds it).")
    var plugins: String

    @Option(help: "Seconds to wait for the agents to catch up.")
    var timeout: Int = 30

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error  // the demo prints dead letters itself
            return handler
        }
        var configuration = HostConfiguration()
        configuration.pluginsDirectory = plugins
        configuration.dataDirectory = plugins + "/.data"
        configuration.memory.partitions = 4
        configuration.commitInterval = .milliseconds(100)
        let broker = MemoryBroker(defaultPartitions: 4)
        let runtime = try SluiceRuntime(configuration: configuration, transport: MemoryTransport(broker: broker),
                                        logger: Logger(label: "sluice.demo"))
        try runtime.start()
        for refusal in runtime.refusals { print("refused: \(refusal)") }
        print("agents: " + runtime.agents.map { "\($0.name) \($0.version)" }.joined(separator: ", "))

        let samples = DemoSamples.records
        for record in samples { broker.append(record) }
        print("sent \(samples.count) records to: " + Set(samples.map(\.topic)).sorted().joined(separator: ", "))

        let caughtUp = await waitUntilCaughtUp(runtime, broker: broker, sources: Set(samples.map(\.topic)))
        let statuses = runtime.agents
        await stopOffThread(runtime)
        print("")
        for topic in ["words.upper", "orders.enriched", "enricher.dlq", "uppercase.dlq"] {
            let records = DemoSamples.read(topic, from: broker)
            guard !records.isEmpty else { continue }
            print("\(topic) (\(records.count) records):")
            for record in records.prefix(8) {
                var line = "  \(record.keyText ?? "null") → \(record.valueText ?? "null")"
                if let reason = record.header("sluice.error") { line += "   [reason: \(reason)]" }
                print(line)
            }
        }
        print("")
        print(caughtUp ? "summary: every record handled; offsets committed to the end of each partition."
                       : "summary: agents did not catch up within \(timeout) s")
        for status in statuses {
            print("  \(status.name): processed \(status.processed), dead-lettered \(status.deadLettered), state \(status.state)")
        }
        if !caughtUp { throw ExitCode(1) }
    }

    /// Every source partition committed to its end.
    private func waitUntilCaughtUp(_ runtime: SluiceRuntime, broker: MemoryBroker, sources: Set<String>) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            let done = runtime.agents.allSatisfy { status in
                let group = "\(runtime.configuration.group).\(status.name)"
                let committed = broker.committed(group: group)
                return status.partitions.filter { sources.contains($0.topic) }.allSatisfy {
                    (committed[$0] ?? 0) == broker.endOffset($0)
                }
            }
            if done { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// stop() blocks while agents drain: keep it off Swift's cooperative pool.
    private func stopOffThread(_ runtime: SluiceRuntime) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                runtime.stop()
                continuation.resume()
            }.start()
        }
    }
}

/// The records the demo sends: words for the C example, orders for the Swift example.
enum DemoSamples {
    static var records: [OutgoingRecord] {
        let words = ["sluice", "streams", "records", "through", "plugins"].enumerated().map { index, word in
            OutgoingRecord(topic: "words", key: Array("w\(index)".utf8), value: Array(word.utf8))
        }
        let orders = [
            (id: "o1", user: "ada", symbol: "ACME", quantity: 10, price: 12.5),
            (id: "o2", user: "grace", symbol: "INIT", quantity: 3, price: 101.0),
            (id: "o3", user: "linus", symbol: "ACME", quantity: 0, price: 12.5),
            (id: "o4", user: "ada", symbol: "WIDG", quantity: 7, price: 3.25),
        ].map { order in
            let json = #"{"id":"\#(order.id)","user_id":"\#(order.user)","symbol":"\#(order.symbol)","quantity":\#(order.quantity),"price":\#(order.price)}"#
            return OutgoingRecord(topic: "orders", key: Array(order.id.utf8), value: Array(json.utf8))
        }
        let malformed = OutgoingRecord(topic: "orders", key: Array("o5".utf8), value: Array(#"{"id":"o5","quantity":"#.utf8))
        return words + orders + [malformed]
    }

    static func read(_ topic: String, from broker: MemoryBroker) -> [StoredRecord] {
        let partitions = broker.partitionCount(of: topic) ?? 0
        return (0..<partitions).flatMap { broker.records(TopicPartition(topic, Int32($0))) }
    }
}
