import Foundation
import Logging
import SluiceHost
import TestSupport

/// A host on the local Kafka broker over a temporary plugins directory: the
/// memory harness's directory and plugin helpers, with `broker: kafka://`.
struct KafkaHost {
    var harness: HostHarness
    let world: KafkaTestWorld

    /// A host whose consumer-group prefix is unique to the test.
    init(world: KafkaTestWorld) throws {
        self.world = world
        harness = try HostHarness(partitions: 4)
        harness.configuration.broker = .kafka([world.bootstrap])
        harness.configuration.kafka = KafkaTestWorld.properties
        harness.configuration.group = world.name("sluice")
        harness.configuration.commitInterval = .milliseconds(200)
    }

    /// The consumer group of agent `agent`.
    func group(of agent: String) -> String { harness.configuration.group + "." + agent }

    /// A runtime over `kafka://` built the way `sluice run` builds it.
    func makeRuntime() throws -> SluiceRuntime {
        var logger = Logger(label: "sluice.test")
        logger.logLevel = .warning
        return try SluiceRuntime(configuration: harness.configuration, logger: logger)
    }

    /// sluice.yaml for a `sluice run` subprocess with the same settings.
    func configurationFile(pluginsDirectory: String, dataDirectory: String) -> String {
        var lines = [
            "broker: kafka://\(world.bootstrap)",
            "plugins_directory: \(pluginsDirectory)",
            "data_directory: \(dataDirectory)",
            "group: \(harness.configuration.group)",
            "workers: 2",
            "log_level: warning",
            "commit_interval: 200ms",
            "shutdown_timeout: 10s",
            "admin:",
            "  port: 0",  // any free port: the admin API must not collide with another host
            "kafka:",
        ]
        for (key, value) in harness.configuration.kafka.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(key): \"\(value)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func remove() { harness.remove() }
}

/// What the recorder wrote to its output topic, parsed and counted per input offset.
struct RecordedOutput {
    /// How often each (partition, offset) of the input was handled.
    var handled: [RecordedKey: Int] = [:]
    /// Lines whose partition differs from the output partition they were written to.
    var misplaced = 0

    struct RecordedKey: Hashable { let partition: Int32; let offset: Int64 }

    init(_ records: [KafkaTestWorld.ReadRecord]) {
        for record in records {
            let parts = record.value.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let partition = Int32(parts[0]), let offset = Int64(parts[1]) else { continue }
            if partition != record.partition { misplaced += 1 }
            handled[RecordedKey(partition: partition, offset: offset), default: 0] += 1
        }
    }

    /// Input offsets (below `ends`) never handled.
    func missing(ends: [Int32: Int64]) -> Int {
        var missing = 0
        for (partition, end) in ends {
            for offset in 0..<end where handled[RecordedKey(partition: partition, offset: offset)] == nil { missing += 1 }
        }
        return missing
    }

    /// Extra handlings beyond the first.
    var duplicates: Int { handled.values.reduce(0) { $0 + max(0, $1 - 1) } }
}
