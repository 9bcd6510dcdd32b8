import Foundation
import SluiceHost

/// A host on the local Kafka broker over a temporary plugins directory: the
/// memory harness's directory and plugin helpers, with `broker: kafka://`.
public struct KafkaHost {
    /// The temporary plugins directory and the configuration `makeRuntime()` uses.
    public var harness: HostHarness
    /// The broker the host runs on.
    public let world: KafkaTestWorld

    /// A host whose consumer-group prefix is unique to the test.
    public init(world: KafkaTestWorld) throws {
        self.world = world
        harness = try HostHarness(partitions: 4)
        harness.configuration.broker = .kafka([world.bootstrap])
        harness.configuration.kafka = KafkaTestWorld.properties
        harness.configuration.group = world.name("sluice")
        harness.configuration.commitInterval = .milliseconds(200)
    }

    /// The consumer group of agent `agent`.
    public func group(of agent: String) -> String { harness.configuration.group + "." + agent }

    /// A runtime over `kafka://` built the way `sluice run` builds it.
    public func makeRuntime() throws -> SluiceRuntime {
        try harness.makeRuntime()
    }

    /// Starts a runtime over `kafka://`, runs `body` with it, and stops it —
    /// also when `body` or the start throws (``HostHarness/withRuntime(_:)``).
    @discardableResult
    public func withRuntime<Value>(_ body: (SluiceRuntime) async throws -> Value) async throws -> Value {
        try await harness.withRuntime(body)
    }

    /// sluice.yaml for a `sluice run` subprocess with the same settings
    /// (`shutdownTimeout` overrides the harness's).
    public func configurationFile(pluginsDirectory: String, dataDirectory: String,
                                  shutdownTimeout: Duration? = nil) -> String {
        var lines = [
            "broker: kafka://\(world.bootstrap)",
            "plugins_directory: \(pluginsDirectory)",
            "data_directory: \(dataDirectory)",
            "group: \(harness.configuration.group)",
            "workers: 2",
            "log_level: notice",  // notice: the admin API logs its bound port at this level
            "commit_interval: \(Self.milliseconds(harness.configuration.commitInterval))ms",
            "shutdown_timeout: \(Self.milliseconds(shutdownTimeout ?? harness.configuration.shutdownTimeout))ms",
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
    public func startPeer(sidecar: String, shutdownTimeout: Duration? = nil) throws
        -> (process: SluiceProcess, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory(prefix: "sluice-kafka-peer")
        let plugins = directory.file("plugins")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: harness.pluginsDirectory + "/recorder.so", toPath: plugins + "/recorder.so")
        try sidecar.write(toFile: plugins + "/recorder.yaml", atomically: true, encoding: .utf8)
        let configuration = directory.file("sluice.yaml")
        try configurationFile(pluginsDirectory: plugins, dataDirectory: directory.file("data"), shutdownTimeout: shutdownTimeout)
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        return (try SluiceProcess(configuration: configuration, logFile: directory.file("peer.log")), directory)
    }

    /// Whole milliseconds of `duration`, as sluice.yaml writes durations.
    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// Deletes the temporary directory.
    public func remove() { harness.remove() }
}
