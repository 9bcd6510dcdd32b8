import Foundation
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
        try harness.useKafka(group: world.name("sluice"))
    }

    /// The consumer group of agent `agent`.
    func group(of agent: String) -> String { harness.configuration.group + "." + agent }

    /// A runtime over `kafka://` built the way `sluice run` builds it.
    func makeRuntime() throws -> SluiceRuntime {
        try harness.makeRuntime()
    }

    /// sluice.yaml for a `sluice run` subprocess with the same settings.
    func configurationFile(pluginsDirectory: String, dataDirectory: String, shutdownTimeout: String = "10s") -> String {
        var lines = [
            "broker: kafka://\(world.bootstrap)",
            "plugins_directory: \(pluginsDirectory)",
            "data_directory: \(dataDirectory)",
            "group: \(harness.configuration.group)",
            "workers: 2",
            "log_level: warning",
            "commit_interval: 200ms",
            "shutdown_timeout: \(shutdownTimeout)",
            "admin:",
            "  port: 0",  // any free port: the admin API must not collide with another host
            "kafka:",
        ]
        for (key, value) in harness.configuration.kafka.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(key): \"\(value)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Starts `sluice run` in a process of its own with the same settings,
    /// in the same group, running a copy of the recorder with `sidecar`; its
    /// output goes to `peer.log` in the returned directory (the caller removes it).
    func startPeer(sidecar: String, shutdownTimeout: String = "10s") throws -> (process: Process, directory: TemporaryDirectory) {
        try SluiceBinary.require()
        let directory = try TemporaryDirectory(prefix: "sluice-kafka-peer")
        let plugins = directory.file("plugins")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: harness.pluginsDirectory + "/recorder.so", toPath: plugins + "/recorder.so")
        try sidecar.write(toFile: plugins + "/recorder.yaml", atomically: true, encoding: .utf8)
        let configuration = directory.file("sluice.yaml")
        try configurationFile(pluginsDirectory: plugins, dataDirectory: directory.file("data"), shutdownTimeout: shutdownTimeout)
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        let peer = Process()
        peer.executableURL = URL(fileURLWithPath: SluiceBinary.path)
        peer.arguments = ["run", "--config", configuration]
        let log = directory.file("peer.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        peer.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        peer.standardError = peer.standardOutput
        try peer.run()
        return (peer, directory)
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
