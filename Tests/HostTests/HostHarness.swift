import Foundation
import Logging
import SluiceHost
import TestSupport

/// A host on `memory://` over a temporary plugins directory, for end-to-end tests.
struct HostHarness {
    let directory: TemporaryDirectory
    let broker: MemoryBroker
    var configuration: HostConfiguration

    var pluginsDirectory: String { directory.file("plugins") }

    init(partitions: Int = 8) throws {
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

    /// Compiles Tests/HostTests/Fixtures/recorder.c as agent `name` into the plugins directory.
    @discardableResult
    func installRecorder(name: String = "recorder", version: String = "1.0.0", sidecar: String? = nil) throws -> String {
        let output = pluginsDirectory + "/\(name).so"
        try CPluginCompiler.compile(
            sources: [RepositoryPaths.path("Tests/HostTests/Fixtures/recorder.c")], output: output,
            flags: ["-DAGENT_NAME=\"\(name)\"", "-DAGENT_VERSION=\"\(version)\""])
        if let sidecar { try writeSidecar(name, sidecar) }
        return output
    }

    /// Compiles the C example plugin (Plugins/examples/c-uppercase) into the plugins directory.
    func installUppercaseExample(sidecar: String? = nil) throws {
        try CPluginCompiler.compile(
            sources: [RepositoryPaths.path("Plugins/examples/c-uppercase/uppercase.c")],
            output: pluginsDirectory + "/uppercase.so")
        if let sidecar { try writeSidecar("uppercase", sidecar) }
    }

    /// Copies the Swift example plugin, built by `swift build`, into the plugins directory.
    func installSwiftExample(sidecar: String? = nil) throws {
        let built = RepositoryPaths.path(".build/debug/libSluiceExampleSwift.so")
        guard FileManager.default.fileExists(atPath: built) else {
            throw HarnessError("\(built) is missing: run `swift build` first (tools/test does)")
        }
        try FileManager.default.copyItem(atPath: built, toPath: pluginsDirectory + "/enricher.so")
        if let sidecar { try writeSidecar("enricher", sidecar) }
    }

    func writeSidecar(_ name: String, _ yaml: String) throws {
        try yaml.write(toFile: pluginsDirectory + "/\(name).yaml", atomically: true, encoding: .utf8)
    }

    func makeRuntime() throws -> SluiceRuntime {
        var logger = Logger(label: "sluice.test")
        logger.logLevel = .warning
        return try SluiceRuntime(configuration: configuration, transport: MemoryTransport(broker: broker), logger: logger)
    }

    /// Produces `count` records to `topic`; value i is `value(i)`, key "k<i>".
    func produce(_ topic: String, count: Int, value: (Int) -> String = { "v\($0)" }) {
        for index in 0..<count {
            broker.append(OutgoingRecord(topic: topic, key: Array("k\(index)".utf8), value: Array(value(index).utf8)))
        }
    }

    /// Every record of `topic`, across partitions.
    func records(_ topic: String) -> [(partition: Int32, record: StoredRecord)] {
        let partitions = broker.partitionCount(of: topic) ?? 0
        return (0..<partitions).flatMap { partition in
            broker.records(TopicPartition(topic, Int32(partition))).map { (Int32(partition), $0) }
        }
    }

    func count(_ topic: String) -> Int {
        let partitions = broker.partitionCount(of: topic) ?? 0
        return (0..<partitions).reduce(0) { $0 + Int(broker.endOffset(TopicPartition(topic, Int32($1)))) }
    }

    func remove() { directory.remove() }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 10 ms until it holds; fails after `timeout`.
func eventually(timeout: Duration = .seconds(30), _ what: String,
                _ condition: () throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    if try condition() { return }
    throw HarnessError("timed out after \(timeout) waiting for: \(what)")
}

/// The recorder's output line "<partition>:<offset>:<value>" parsed.
struct RecordedLine: Hashable {
    let partition: Int32
    let offset: Int64
    let value: String

    init?(_ record: StoredRecord) {
        guard let text = record.valueText else { return nil }
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let partition = Int32(parts[0]), let offset = Int64(parts[1]) else { return nil }
        self.partition = partition
        self.offset = offset
        value = String(parts[2])
    }
}
