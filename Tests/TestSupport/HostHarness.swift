import Foundation
import Logging
import SluiceHost

/// A host on `memory://` over a temporary plugins directory, for end-to-end
/// tests of the host and of plugins.
public struct HostHarness {
    /// The temporary directory holding plugins/ and data/.
    public let directory: TemporaryDirectory
    /// The embedded broker the host runs on.
    public let broker: MemoryBroker
    /// The host configuration `makeRuntime()` uses.
    public var configuration: HostConfiguration

    /// The plugins directory.
    public var pluginsDirectory: String { directory.file("plugins") }

    /// A harness whose topics have `partitions` partitions.
    public init(partitions: Int = 8) throws {
        directory = try TemporaryDirectory(prefix: "sluice-host")
        try FileManager.default.createDirectory(atPath: directory.file("plugins"), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        broker = MemoryBroker(defaultPartitions: partitions)
        configuration = HostConfiguration()
        configuration.pluginsDirectory = directory.file("plugins")
        configuration.dataDirectory = directory.file("data")
        configuration.commitInterval = .milliseconds(50)
        configuration.shutdownTimeout = .seconds(10)
        configuration.workers = 2
        configuration.agentDefaults.retry.initialBackoff = .milliseconds(5)
        configuration.agentDefaults.retry.maxBackoff = .milliseconds(50)
    }

    /// Compiles Tests/Fixtures/recorder.c as agent `name` into the plugins
    /// directory the documented drop-in way: built beside it under a hidden
    /// name, then renamed into place (a new inode), so a running host's
    /// watcher never sees a half-written file. Replacing a running plugin
    /// with another `version` is a hot reload. `defines` are extra `-D`
    /// macros (e.g. `SEGV_FIXED`).
    @discardableResult
    public func installRecorder(name: String = "recorder", version: String = "1.0.0", sidecar: String? = nil,
                                defines: [String] = []) async throws -> String {
        let output = pluginsDirectory + "/\(name).so"
        let staged = pluginsDirectory + "/.\(name).so.tmp"
        try await CPluginCompiler.compile(
            sources: [RepositoryPaths.path("Tests/Fixtures/recorder.c")], output: staged,
            flags: ["-DAGENT_NAME=\"\(name)\"", "-DAGENT_VERSION=\"\(version)\""] + defines.map { "-D\($0)" })
        guard rename(staged, output) == 0 else {
            throw HarnessError("renaming \(staged) to \(output) failed: errno \(errno)")
        }
        if let sidecar { try writeSidecar(name, sidecar) }
        return output
    }

    /// Compiles the C example plugin (Plugins/examples/c-uppercase) into the plugins directory.
    public func installUppercaseExample(sidecar: String? = nil) async throws {
        try await CPluginCompiler.compile(
            sources: [RepositoryPaths.path("Plugins/examples/c-uppercase/uppercase.c")],
            output: pluginsDirectory + "/uppercase.so")
        if let sidecar { try writeSidecar("uppercase", sidecar) }
    }

    /// Copies the Swift example plugin, built by `swift build`, into the plugins directory.
    public func installSwiftExample(sidecar: String? = nil) throws {
        try installBuiltPlugin(product: "SluiceExampleSwift", as: "enricher", sidecar: sidecar)
    }

    /// Copies the Swift plugin product `product` (built by `swift build` as
    /// `.build/debug/lib<product>.so`) into the plugins directory as `<name>.so`.
    public func installBuiltPlugin(product: String, as name: String, sidecar: String? = nil) throws {
        let built = RepositoryPaths.path(".build/debug/lib\(product).so")
        guard FileManager.default.fileExists(atPath: built) else {
            throw HarnessError("\(built) is missing: run `swift build` first (tools/test does)")
        }
        try FileManager.default.copyItem(atPath: built, toPath: pluginsDirectory + "/\(name).so")
        if let sidecar { try writeSidecar(name, sidecar) }
    }

    /// Writes `NAME.yaml` beside the plugin.
    public func writeSidecar(_ name: String, _ yaml: String) throws {
        try yaml.write(toFile: pluginsDirectory + "/\(name).yaml", atomically: true, encoding: .utf8)
    }

    /// A host over the plugins directory and the harness's broker, or, when
    /// `configuration.broker` names Kafka, over Kafka built the way `sluice run` builds it.
    /// With `tracing`, batches get spans and propagate `traceparent`; with
    /// `logger`, the host logs there (by default: warnings and errors only).
    public func makeRuntime(tracing: BatchTracing? = nil, logger custom: Logger? = nil) throws -> SluiceRuntime {
        var logger = Logger(label: "sluice.test")
        logger.logLevel = .warning
        if let custom { logger = custom }
        switch configuration.broker {
        case .memory:
            return try SluiceRuntime(configuration: configuration, transport: MemoryTransport(broker: broker),
                                     tracing: tracing, logger: logger)
        case .kafka:
            return try SluiceRuntime(configuration: configuration, tracing: tracing, logger: logger)
        }
    }

    /// Starts a host over the plugins directory (``makeRuntime()``), runs
    /// `body` with it, and stops it — when `body` returns and when it (or the
    /// start) throws. What `body` returns is returned once the host has stopped.
    @discardableResult
    public func withRuntime<Value>(tracing: BatchTracing? = nil, logger: Logger? = nil,
                                   _ body: (SluiceRuntime) async throws -> Value) async throws -> Value {
        try await TestSupport.withRuntime(makeRuntime(tracing: tracing, logger: logger), body)
    }

    /// Points the configuration at the local Kafka broker with the properties
    /// that suit it (`TestServices.kafkaProperties`) and a consumer-group
    /// prefix of `group`.
    public mutating func useKafka(group: String) throws {
        configuration.broker = .kafka([try TestServices.kafkaBootstrap()])
        configuration.kafka = TestServices.kafkaProperties
        configuration.group = group
        configuration.commitInterval = .milliseconds(200)
    }

    /// Produces `count` records to `topic`; value i is `value(i)`, key "k<i>".
    public func produce(_ topic: String, count: Int, value: (Int) -> String = { "v\($0)" }) {
        for index in 0..<count {
            broker.append(OutgoingRecord(topic: topic, key: Array("k\(index)".utf8), value: Array(value(index).utf8)))
        }
    }

    /// Every record of `topic`, across partitions.
    public func records(_ topic: String) -> [(partition: Int32, record: StoredRecord)] {
        let partitions = broker.partitionCount(of: topic) ?? 0
        return (0..<partitions).flatMap { partition in
            broker.records(TopicPartition(topic, Int32(partition))).map { (Int32(partition), $0) }
        }
    }

    /// Number of records in `topic`, across partitions.
    public func count(_ topic: String) -> Int {
        let partitions = broker.partitionCount(of: topic) ?? 0
        return (0..<partitions).reduce(0) { $0 + Int(broker.endOffset(TopicPartition(topic, Int32($1)))) }
    }

    /// Whether `group` has committed every partition of `topic` to its end.
    public func committedToTheEnd(group: String = "sluice.recorder", topic: String = "input") -> Bool {
        let committed = broker.committed(group: group)
        let partitions = broker.partitionCount(of: topic) ?? 0
        return (0..<Int32(partitions)).allSatisfy {
            committed[TopicPartition(topic, $0)] == broker.endOffset(TopicPartition(topic, $0))
        }
    }

    /// Deletes the temporary directory.
    public func remove() { directory.remove() }
}

/// A harness step failed.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `condition` every `interval` (10 ms) until it holds; fails after `timeout`.
public func eventually(timeout: Duration = .seconds(30), interval: Duration = .milliseconds(10), _ what: String,
                _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    if try await condition() { return }
    throw HarnessError("timed out after \(timeout) waiting for: \(what)")
}

/// The recorder's output line "<partition>:<offset>:<value>" parsed.
public struct RecordedLine: Hashable, Sendable {
    public let partition: Int32
    public let offset: Int64
    public let value: String

    public init?(_ record: StoredRecord) {
        guard let text = record.valueText else { return nil }
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let partition = Int32(parts[0]), let offset = Int64(parts[1]) else { return nil }
        self.partition = partition
        self.offset = offset
        value = String(parts[2])
    }
}
