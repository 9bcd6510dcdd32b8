import Foundation
import Logging
import SluiceAdmin
import SluiceHost

/// One plugin in a real host on a private `memory://` broker, over a private
/// plugins directory: what `sluice try` runs.
struct PluginTrial {
    /// What a trial printed and whether it finished.
    struct Outcome {
        /// The produced records, one JSON object per line.
        var lines: [String]
        /// Why the trial did not finish every record, if it did not.
        var failure: String?
    }

    /// The plugin as the loader read it (name, topics, …).
    let image: PluginImage
    /// The topics the agent consumes: its sidecar's, else the plugin's.
    let topics: [String]
    private let directory: String
    private let configuration: HostConfiguration
    private let logger: Logger

    /// Loads `plugin` the way the host will (every check), then places a copy
    /// as `<agent>.so`, with `sidecar` as `<agent>.yaml`, in a private plugins directory.
    ///
    /// - Throws: `PluginTrialError` naming the file and what is wrong.
    init(plugin: String, sidecar: String?, allowedEnvironment: [String], logLevel: Logger.Level) throws {
        do {
            directory = try PrivateTemporaryDirectory.make(prefix: "sluice-try")
        } catch {
            throw PluginTrialError("\(error)")
        }
        var logger = Logger(label: "sluice.try")
        logger.logLevel = logLevel
        self.logger = logger
        do {
            let plugins = directory + "/plugins"
            try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            // The copy is what gets checked and loaded: the trial is about the
            // plugin's code, not the permissions of the directory it was built in.
            // Its name comes from the file itself, as NAME.so must declare agent NAME.
            let candidate = plugins + "/.candidate.so"
            guard FileManager.default.isReadableFile(atPath: plugin) else {
                throw PluginTrialError("\(plugin): no such plugin file, or not readable")
            }
            try FileManager.default.copyItem(atPath: plugin, toPath: candidate)
            _ = chmod(candidate, 0o600)
            let loader = PluginLoader(imageDirectory: directory + "/inspect", logger: logger)
            do {
                image = try loader.load(file: candidate)
            } catch {
                throw PluginTrialError(PluginRefusal(file: plugin, reason: error.reason, detail: error.detail).description)
            }
            try FileManager.default.moveItem(atPath: candidate, toPath: plugins + "/\(image.name).so")
            var configuration = HostConfiguration()
            configuration.broker = .memory
            configuration.pluginsDirectory = plugins
            configuration.dataDirectory = directory + "/data"
            configuration.pluginEnvironment = allowedEnvironment
            configuration.commitInterval = .milliseconds(20)
            // Once the trial is over (or has failed), records still held are not waited for long.
            configuration.shutdownTimeout = .seconds(2)
            configuration.logLevel = logLevel
            var topics = image.topics
            if let sidecar {
                guard FileManager.default.isReadableFile(atPath: sidecar) else {
                    throw PluginTrialError("\(sidecar): no such sidecar file, or not readable")
                }
                let placed = plugins + "/\(image.name).yaml"
                try FileManager.default.copyItem(atPath: sidecar, toPath: placed)
                _ = chmod(placed, 0o600)
                // Checked now, before any record is read: the host reads it the same way at start.
                do {
                    let settings = try loader.readSidecar(forPlugin: plugins + "/\(image.name).so",
                                                          defaults: configuration.agentDefaults,
                                                          allowedEnvironment: allowedEnvironment)
                    if let plugin = settings.plugin, plugin != image.name {
                        throw PluginTrialError("\(sidecar): plugin: names plugin \"\(plugin)\", but the file tried is plugin \"\(image.name)\"")
                    }
                    topics = settings.topics ?? topics
                } catch let error as PluginTrialError {
                    throw error
                } catch {
                    // Name the file the user gave, not the private copy.
                    throw PluginTrialError("\(error)".replacingOccurrences(of: placed, with: sidecar))
                }
            }
            self.configuration = configuration
            self.topics = topics
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Sends `records` to `topic`, waits until the agent has finished and
    /// committed all of them (or failed, or `timeout` passed), stops the host
    /// and returns every record of every other topic.
    func run(_ records: [OutgoingRecord], topic: String, timeout: Duration) async throws -> Outcome {
        let broker = MemoryBroker(defaultPartitions: configuration.memory.partitions,
                                  partitionsPerTopic: configuration.memory.topics)
        let runtime = try SluiceRuntime(configuration: configuration, transport: MemoryTransport(broker: broker),
                                        watchDirectory: false, logger: logger)
        try await runtime.start()
        if let refusal = runtime.refusals.first {
            await runtime.stop()
            throw PluginTrialError(refusal.description)
        }
        for record in records { broker.append(record) }
        let failure = await waitUntilFinished(runtime, broker: broker, topic: topic, timeout: timeout)
        await runtime.stop()
        return Outcome(lines: try outputLines(broker, except: topic), failure: failure)
    }

    /// Deletes the temporary directory.
    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Nil once every partition of `topic` is committed up to its end; else why not.
    private func waitUntilFinished(_ runtime: SluiceRuntime, broker: MemoryBroker, topic: String,
                                   timeout: Duration) async -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let partitions = (0..<(broker.partitionCount(of: topic) ?? 0)).map { TopicPartition(topic, Int32($0)) }
        while true {
            guard let runner = runtime.agent(image.name) else { return "agent \(image.name) did not start" }
            let status = runner.status
            if case .failed(let reason) = status.state { return "agent \(image.name) failed: \(reason)" }
            let committed = broker.committed(group: runner.group, partitions)
            let behind = partitions.filter { committed[$0, default: 0] < broker.endOffset($0) }
            if behind.isEmpty { return nil }
            if clock.now >= deadline {
                let positions = behind.map { "\($0.topic)[\($0.partition)] at \(committed[$0, default: 0]) of \(broker.endOffset($0))" }
                return "not every record was finished within \(timeout): committed \(positions.joined(separator: ", "))"
                    + (status.lastError.map { "; last error: \($0)" } ?? "")
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Every record of every topic but `input`, as JSON lines.
    private func outputLines(_ broker: MemoryBroker, except input: String) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try broker.topicNames.filter { $0 != input }.flatMap { topic in
            try (0..<(broker.partitionCount(of: topic) ?? 0)).flatMap { partition in
                try broker.records(TopicPartition(topic, Int32(partition))).map { stored in
                    let line = PluginTrialRecord(topic: topic, partition: Int32(partition), record: stored)
                    return String(decoding: try encoder.encode(line), as: UTF8.self)
                }
            }
        }
    }
}

/// A plugin or its sidecar could not be tried, with the reason.
struct PluginTrialError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
