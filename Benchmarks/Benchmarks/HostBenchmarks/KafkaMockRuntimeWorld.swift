import Foundation
import Logging
import SluiceHost

/// A whole host (`SluiceRuntime` on `KafkaTransport`) with the no-op C agent
/// reading the mock cluster's topic, started afresh (new consumer group, new
/// data directory) for every run.
final class KafkaMockRuntimeWorld {
    let cluster: KafkaMockClusterWorld
    let directory: String
    private var runs = 0

    init(cluster: KafkaMockClusterWorld) throws {
        self.cluster = cluster
        directory = NSTemporaryDirectory() + "sluice-bench-s1mock-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory + "/plugins", withIntermediateDirectories: true)
        try NoopPlugin.compile(into: directory + "/plugins", topic: cluster.topic)
    }

    /// A transport on the mock cluster, configured as S1 configures the host
    /// for the local broker; it creates no topics (the mock has no Admin API).
    static func transport(bootstraps: String) throws -> KafkaTransport {
        var logger = Logger(label: "sluice.bench.kafka")
        logger.logLevel = .warning
        let settings = try KafkaSettings(bootstrapServers: bootstraps, properties: [
            "sluice.topic.create": "false", "fetch.wait.max.ms": "10", "log_level": "3",
        ])
        return try KafkaTransport(settings: settings, logger: logger)
    }

    /// Starts a host in a fresh group, waits for its first finished batch,
    /// then `measured` runs until every record is finished; the host stops
    /// (commits, leaves the group) before this returns.
    func run(batchSize: Int, measured: (_ body: () throws -> Int) throws -> Int) throws {
        runs += 1
        var configuration = HostConfiguration()
        configuration.pluginsDirectory = directory + "/plugins"
        configuration.dataDirectory = directory + "/data-\(runs)"
        configuration.group = cluster.freshGroup("runtime")
        configuration.agentDefaults.batchSize = batchSize
        var logger = Logger(label: "sluice.bench")
        logger.logLevel = .warning
        let runtime = try SluiceRuntime(configuration: configuration, transport: Self.transport(bootstraps: cluster.bootstraps),
                                        watchDirectory: false, logger: logger)
        try runtime.start()
        defer { runtime.stop() }
        guard runtime.agents.map(\.name) == ["noop"] else {
            throw KafkaMockClusterWorld.Failure(description: "S1mock: the noop agent did not start: \(runtime.refusals)")
        }
        let processed = { runtime.agents.first?.processed ?? 0 }
        let deadline = ProcessClocks.wallNanoseconds + 30_000_000_000
        while processed() == 0 {
            guard ProcessClocks.wallNanoseconds < deadline else {
                throw KafkaMockClusterWorld.Failure(description: "S1mock: no record finished within 30 s")
            }
            usleep(200)
        }
        let before = processed()
        _ = try measured {
            let idleDeadline = ProcessClocks.wallNanoseconds + 30_000_000_000
            while processed() < cluster.records {
                guard ProcessClocks.wallNanoseconds < idleDeadline else {
                    throw KafkaMockClusterWorld.Failure(description: "S1mock: \(processed()) of \(cluster.records) within 30 s")
                }
                usleep(200)
            }
            return cluster.records - before
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
