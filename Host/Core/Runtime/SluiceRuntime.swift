import Foundation
import Logging
import ServiceLifecycle

/// The host: loads every plugin in the plugins directory, runs each as an
/// agent over the configured transport, and stops them all gracefully.
///
/// A broken plugin file is refused with a one-line reason while the others
/// run; a broken configuration file stops the start (it is the operator's to
/// fix, and running with half a configuration would surprise them).
public final class SluiceRuntime: Service, @unchecked Sendable {
    // @unchecked: mutable state is guarded by `lock`.

    /// Why the host could not start.
    public struct StartError: Error, CustomStringConvertible {
        /// One line naming what is wrong and where.
        public let description: String
    }

    /// The configuration the host runs with.
    public let configuration: HostConfiguration
    /// Where records come from and go to.
    public let transport: any Transport
    /// The loader (its image count says how many images are mapped).
    public let loader: PluginLoader

    private let logger: Logger
    private let pool: WorkerPool
    private let lock = ConditionLock()
    private var runners: [String: AgentRunner] = [:]
    private var refused: [PluginRefusal] = []
    private var started = false

    /// Creates a host. `transport` defaults to the one `configuration.broker` names.
    public init(configuration: HostConfiguration, transport: (any Transport)? = nil, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        if let transport {
            self.transport = transport
        } else {
            self.transport = try SluiceRuntime.makeTransport(for: configuration)
        }
        loader = PluginLoader(imageDirectory: configuration.dataDirectory + "/images", logger: logger)
        pool = WorkerPool(size: max(1, configuration.workers))
    }

    deinit { pool.shutdown() }

    /// The transport `configuration.broker` names.
    public static func makeTransport(for configuration: HostConfiguration) throws -> any Transport {
        switch configuration.broker {
        case .memory:
            return MemoryTransport(broker: MemoryBroker(
                defaultPartitions: configuration.memory.partitions,
                partitionsPerTopic: configuration.memory.topics))
        case .kafka:
            throw StartError(description: "broker: kafka:// is not available in this build yet (the Kafka transport is issue #4); use memory://")
        }
    }

    /// Loads the plugins and starts their agents. Refused plugins are logged
    /// and listed in `refusals`; the rest run.
    public func start() throws {
        let directory = configuration.pluginsDirectory
        try loader.checkDirectory(directory)
        let (images, refusals) = try loader.scan(directory: directory)
        var started: [AgentRunner] = []
        var refused = refusals
        for image in images {
            let sidecar = SluiceRuntime.sidecarPath(for: image.sourcePath)
            let settings: AgentSettings
            do {
                settings = try ConfigurationLoader.loadAgent(
                    sidecar: FileManager.default.fileExists(atPath: sidecar) ? sidecar : nil,
                    defaults: configuration.agentDefaults)
            } catch {
                started.forEach { $0.stop() }
                throw StartError(description: "\(error)")
            }
            guard settings.enabled else {
                logger.notice("agent disabled by its sidecar", metadata: ["agent": .string(image.name)])
                continue
            }
            do {
                let runner = try AgentRunner(
                    image: image, settings: settings, hostGroup: configuration.group, transport: transport,
                    pool: pool, commitInterval: configuration.commitInterval,
                    drainTimeout: configuration.shutdownTimeout, logger: logger)
                try runner.start()
                started.append(runner)
            } catch let refusal as PluginRefusal {
                logger.error("\(refusal.description)", metadata: ["plugin.file": .string(refusal.file)])
                refused.append(refusal)
            } catch {
                let refusal = PluginRefusal(file: image.sourcePath, reason: .createFailed, detail: "\(error)")
                logger.error("\(refusal.description)", metadata: ["plugin.file": .string(image.sourcePath)])
                refused.append(refusal)
            }
        }
        lock.withLock {
            for runner in started { runners[runner.name] = runner }
            self.refused = refused
            self.started = true
        }
        logger.info("host started", metadata: [
            "broker": .string(configuration.broker.description),
            "agents": .string(started.map(\.name).sorted().joined(separator: ",")),
            "refused": .stringConvertible(refused.count),
        ])
    }

    /// Stops every agent (in parallel): stop fetching, drain within the
    /// shutdown timeout, flush, commit, close. Blocks until done.
    public func stop() {
        let all: [AgentRunner] = lock.withLock {
            let all = Array(runners.values)
            runners.removeAll()
            return all
        }
        DispatchQueue.concurrentPerform(iterations: all.count) { all[$0].stop() }
        _ = transport.producer.flush(timeout: configuration.shutdownTimeout)
        logger.info("host stopped")
    }

    /// The agents' current status, sorted by name.
    public var agents: [AgentStatus] {
        lock.withLock { runners.values.map(\.status) }.sorted { $0.name < $1.name }
    }

    /// The runner of agent `name`.
    public func agent(_ name: String) -> AgentRunner? {
        lock.withLock { runners[name] }
    }

    /// Plugin files refused at start.
    public var refusals: [PluginRefusal] {
        lock.withLock { refused }
    }

    /// `Service`: starts, waits for a graceful shutdown signal, then stops.
    public func run() async throws {
        try start()
        try? await gracefulShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // stop() blocks while agents drain: keep it off the cooperative pool.
            Thread { [self] in
                stop()
                continuation.resume()
            }.start()
        }
    }

    /// The sidecar of a plugin file: `NAME.yaml` beside `NAME.so`.
    public static func sidecarPath(for pluginPath: String) -> String {
        let url = URL(fileURLWithPath: pluginPath)
        return url.deletingPathExtension().path + ".yaml"
    }
}
