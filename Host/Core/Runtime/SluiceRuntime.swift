import Foundation
import Logging
import ServiceLifecycle

/// The host: loads every plugin in the plugins directory, runs each as an
/// agent over the configured transport, and stops them all gracefully.
///
/// A broken plugin file is refused with a one-line reason while the others
/// run; a broken configuration file stops the start (it is the operator's to
/// fix, and running with half a configuration would surprise them).
///
/// Starting, stopping, pausing, resuming and reloading block while agents
/// start, drain and flush. From async code, call the `async` overloads: they
/// do the blocking work on threads the host owns and never hold one of
/// Swift's few cooperative threads (which the agents' own tasks inside Swift
/// plugins may need to finish). The blocking overloads are for callers that
/// own their thread, and cannot be called from async code.
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
    /// The local stores of the stateful agents, open while the host runs.
    let stateStores: StateStoreProvider
    /// The loader (its image count says how many images are mapped).
    public let loader: PluginLoader

    let logger: Logger
    /// Batch spans and `traceparent` propagation; nil when tracing is off.
    let tracing: BatchTracing?
    let pool: WorkerPool
    /// The crash journal and history of this host's data directory (docs/isolation.md).
    public let quarantine: CrashQuarantine
    let watchDirectory: Bool
    let lock = ConditionLock()
    /// Serialises reloads and stops (the watcher and operators may ask at
    /// once). Held while agents drain: only ever taken on a host-owned thread.
    let reloadLock = ConditionLock()
    var runners: [String: AgentRunner] = [:]
    /// Each running agent's plugin and sidecar.
    var bindings: [String: AgentBinding] = [:]
    /// The refused plugin files by base name (see SluiceRuntime+Refusals.swift).
    var refused: [String: RefusedPluginFile] = [:]
    var events: [ReloadEvent] = []
    var watcher: PluginDirectoryWatcher?
    var started = false
    /// When `start()` finished (nil before): the host's uptime counts from here.
    var startInstant: Date?
    /// Set by stop() before it takes the agents down: no reload starts one again.
    var stopped = false

    /// Creates a host. `transport` defaults to the one `configuration.broker`
    /// names. With `watchDirectory`, files dropped into, replaced in or removed
    /// from the plugins directory start, upgrade or stop agents while it runs.
    /// With `tracing` (see ``BatchTracing``; `sluice run` passes one when
    /// `tracing.enabled`), every batch gets a span and propagates `traceparent`.
    public init(configuration: HostConfiguration, transport: (any Transport)? = nil,
                watchDirectory: Bool = true, tracing: BatchTracing? = nil, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.tracing = tracing
        self.watchDirectory = watchDirectory
        if let transport {
            self.transport = transport
        } else {
            self.transport = try SluiceRuntime.makeTransport(for: configuration)
        }
        loader = PluginLoader(imageDirectory: configuration.dataDirectory + "/images",
                              trust: PluginTrust(trustedGroup: configuration.trustedGroup), logger: logger)
        // Before the workers start: they note their plugin calls in its journal.
        quarantine = CrashQuarantine(directory: configuration.dataDirectory + "/quarantine", logger: logger)
        pool = WorkerPool(size: max(1, configuration.workers), journal: quarantine.journal)
        stateStores = StateStoreProvider(backend: configuration.broker == .memory ? .memory
                                         : .rocksDB(directory: configuration.dataDirectory + "/state"))
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
            guard var settings = try KafkaSettings(configuration: configuration) else {
                throw StartError(description: "broker: kafka:// names no bootstrap servers")
            }
            if settings.staticMembership {
                settings.hostIdentity = try HostIdentity.load(dataDirectory: configuration.dataDirectory)
            }
            return try KafkaTransport(settings: settings, logger: Logger(label: "sluice.kafka"))
        }
    }

    /// Loads the plugins and starts their agents, on a thread of the host's.
    /// Refused plugins are logged and listed in `refusals`; the rest run.
    public func start() async throws {
        try await DedicatedThread.run("sluice-start") { [self] () throws -> Void in try startOnThisThread() }
    }

    /// Loads the plugins and starts their agents, blocking the calling thread.
    /// Refused plugins are logged and listed in `refusals`; the rest run.
    @available(*, noasync, message: "blocks while plugins load and agents start; use `try await start()`")
    public func start() throws {
        try startOnThisThread()
    }

    private func startOnThisThread() throws {
        let directory = configuration.pluginsDirectory
        try loader.checkDirectory(directory)
        // Every sidecar is read before any agent starts: a broken one stops the
        // start before a single record is handled or an offset committed. One
        // that may not be trusted (owner, mode, kind, size) refuses its agent.
        let plan = currentPlan()
        // A plugin that only isolated agents run is never mapped into the host.
        let isolatedOnly = Set(plan.bindings.values.map(\.plugin)).filter { plugin in
            plan.bindings.values.filter { $0.plugin == plugin }.allSatisfy {
                (try? plan.settings[$0.agent]?.get())?.isolation == .process
            }
        }
        var (images, refusals) = try loader.scan(directory: directory, skipping: isolatedOnly)  // the loader logs its refusals
        let imagesByPlugin = Dictionary(images.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var configured: [(binding: AgentBinding, image: PluginImage, settings: AgentSettings)] = []
        for binding in plan.bindings.values.sorted(by: { $0.agent < $1.agent }) {
            switch plan.settings[binding.agent] {
            case .success(let settings)? where settings.isolation == .process && settings.enabled:
                do throws(PluginRefusal) {
                    let image = try loader.loadIsolated(file: binding.pluginFile, agent: binding.agent, settings: settings)
                    configured.append((binding, image, settings))
                } catch {
                    refusals.append(error)
                }
            case .success(let settings)?:
                // A refused plugin file is listed already.
                if let image = imagesByPlugin[binding.plugin] { configured.append((binding, image, settings)) }
            case .failure(let refusal as PluginRefusal)?:
                refusals.append(refusal)
            case .failure(let missing as AgentPlan.MissingPlugin)?:
                let refusal = PluginRefusal(file: missing.sidecar, reason: .invalidConfiguration, detail: "\(missing)")
                logger.error("\(refusal.description)", metadata: ["plugin.file": .string(missing.sidecar)])
                refusals.append(refusal)
            case .failure(let error)?:
                throw StartError(description: "\(error)")
            case nil:
                continue
            }
        }
        var started: [AgentRunner] = []
        var startedBindings: [String: AgentBinding] = [:]
        for (binding, image, settings) in configured {
            guard settings.enabled else {
                logger.notice("agent disabled by its sidecar", metadata: ["agent": .string(binding.agent)])
                continue
            }
            do {
                let runner = try makeRunner(image, settings, agent: binding.agent)
                startedBindings[binding.agent] = binding
                try runner.start()
                logAgentStarted(runner)
                started.append(runner)
            } catch let refusal as PluginRefusal {
                logger.error("\(refusal.description)", metadata: ["plugin.file": .string(refusal.file)])
                refusals.append(refusal)
            } catch {
                let refusal = PluginRefusal(file: image.sourcePath, reason: .createFailed, detail: "\(error)")
                logger.error("\(refusal.description)", metadata: ["plugin.file": .string(image.sourcePath)])
                refusals.append(refusal)
            }
        }
        lock.withLock {
            for runner in started {
                runners[runner.name] = runner
                bindings[runner.name] = startedBindings[runner.name]
            }
            for refusal in refusals { self.refused[SluiceRuntime.baseName(refusal.file)] = RefusedPluginFile(refusal) }
            self.started = true
            self.startInstant = Date()
        }
        loader.pruneImages(keeping: Set(started.map(\.image.privatePath)))
        if watchDirectory {
            let watcher = try PluginDirectoryWatcher(directory: directory) { [weak self] changed in
                self?.reconcile(changed)
            }
            lock.withLock { self.watcher = watcher }
        }
        logger.info("host started", metadata: [
            "broker": .string(configuration.broker.description),
            "agents": .string(started.map(\.name).sorted().joined(separator: ",")),
            "refused": .stringConvertible(refusals.count),
        ])
    }

    /// Stops every agent (in parallel): stop fetching, drain within the
    /// shutdown timeout, flush, commit, close. Returns when done; the waiting
    /// happens on threads of the host's.
    public func stop() async {
        await DedicatedThread.run("sluice-stop") { [self] in stopOnThisThread() }
    }

    /// Stops every agent (in parallel): stop fetching, drain within the
    /// shutdown timeout, flush, commit, close. Blocks the calling thread until done.
    @available(*, noasync, message: "blocks while agents drain; use `await stop()`")
    public func stop() {
        stopOnThisThread()
    }

    private func stopOnThisThread() {
        lock.withLock { watcher }?.stop()
        reloadLock.withLock {
            let all: [AgentRunner] = lock.withLock {
                stopped = true
                let all = Array(runners.values)
                runners.removeAll()
                return all
            }
            // A thread per agent: their drains overlap however many agents there are.
            DedicatedThread.runAllBlocking("sluice-agent-stop", count: all.count) { all[$0].stop() }
            _ = transport.producer.flush(timeout: configuration.shutdownTimeout)
            stateStores.closeAll()
        }
        logger.info("host stopped")
    }

    /// When the host finished starting (nil before it has): what its uptime counts from.
    public var startedAt: Date? {
        lock.withLock { startInstant }
    }

    /// The agents' current status, sorted by name.
    public var agents: [AgentStatus] {
        lock.withLock { runners.values.map(\.status) }.sorted { $0.name < $1.name }
    }

    /// The runner of agent `name`.
    public func agent(_ name: String) -> AgentRunner? {
        lock.withLock { runners[name] }
    }

    /// The refused plugin files (at start or since), sorted by file.
    public var refusals: [PluginRefusal] {
        refusedFiles.map(\.refusal)
    }

    /// The refused plugin files with when each was refused, sorted by file.
    /// A file leaves the list when it is removed or a later version is accepted.
    public var refusedFiles: [RefusedPluginFile] {
        lock.withLock { Array(refused.values) }.sorted { $0.file < $1.file }
    }

    /// Recent reloads, oldest first (the last 100).
    public var reloadEvents: [ReloadEvent] {
        lock.withLock { events }
    }

    /// Ready: started, the broker reachable, and every agent running (none
    /// failed, none paused).
    public var isReady: Bool {
        let (started, runners) = lock.withLock { (self.started, Array(self.runners.values)) }
        guard started, transport.isReachable else { return false }
        return runners.allSatisfy { $0.status.state == .running }
    }

    /// Pauses agent `name` (stops fetching and dispatching; in-flight work
    /// finishes), on a thread of the host's.
    public func pause(agent name: String) async throws(RuntimeControlError) {
        try await DedicatedThread.run("sluice-pause") { [self] () throws(RuntimeControlError) in try pauseOnThisThread(name) }
    }

    /// Pauses agent `name` (stops fetching and dispatching; in-flight work
    /// finishes), blocking the calling thread.
    @available(*, noasync, message: "blocks while the agent pauses; use `try await pause(agent:)`")
    public func pause(agent name: String) throws(RuntimeControlError) {
        try pauseOnThisThread(name)
    }

    /// Resumes agent `name`, including partitions its pause policy held, on a thread of the host's.
    public func resume(agent name: String) async throws(RuntimeControlError) {
        try await DedicatedThread.run("sluice-resume") { [self] () throws(RuntimeControlError) in try resumeOnThisThread(name) }
    }

    /// Resumes agent `name`, including partitions its pause policy held, blocking the calling thread.
    @available(*, noasync, message: "blocks while the agent resumes; use `try await resume(agent:)`")
    public func resume(agent name: String) throws(RuntimeControlError) {
        try resumeOnThisThread(name)
    }

    /// Reloads agent `name` from its file and sidecar now, as the watcher
    /// does when they change (the same file and settings answer `unchanged`),
    /// on a thread of the host's.
    @discardableResult
    public func reload(agent name: String) async throws(RuntimeControlError) -> ReloadEvent {
        try await DedicatedThread.run("sluice-reload") { [self] () throws(RuntimeControlError) in try reloadOnThisThread(name) }
    }

    /// Reloads agent `name` from its file and sidecar now, as the watcher
    /// does when they change (the same file and settings answer `unchanged`),
    /// blocking the calling thread while the old version drains.
    @available(*, noasync, message: "blocks while the agent drains; use `try await reload(agent:)`")
    @discardableResult
    public func reload(agent name: String) throws(RuntimeControlError) -> ReloadEvent {
        try reloadOnThisThread(name)
    }

    private func pauseOnThisThread(_ name: String) throws(RuntimeControlError) {
        guard let runner = agent(name) else { throw .unknownAgent(name) }
        runner.pause()
    }

    private func resumeOnThisThread(_ name: String) throws(RuntimeControlError) {
        guard let runner = agent(name) else { throw .unknownAgent(name) }
        runner.resume()
    }

    private func reloadOnThisThread(_ name: String) throws(RuntimeControlError) -> ReloadEvent {
        guard agent(name) != nil else { throw .unknownAgent(name) }
        // What the watcher does: the same file and settings as what runs answer `unchanged`.
        let event = reconcile(agent: name)
        if case .refused(let reason) = event.outcome { throw .reloadRefused(agent: name, reason: reason) }
        return event
    }

    /// A runner of agent `agent` for `image`, with the host's shared pool, transport and timings.
    func makeRunner(_ image: PluginImage, _ settings: AgentSettings, agent: String) throws -> AgentRunner {
        try AgentRunner(
            image: image, settings: settings, name: agent, hostGroup: configuration.group, transport: transport,
            pool: pool, commitInterval: configuration.commitInterval,
            drainTimeout: configuration.shutdownTimeout, logger: logger, tracing: tracing, stateStores: stateStores,
            quarantine: quarantine)
    }

    /// Logs the plugin file and version an agent runs beside the image mapped
    /// for it: the image is a content-addressed copy, so a crash backtrace
    /// shows only `<data>/images/<hash>.so`.
    func logAgentStarted(_ runner: AgentRunner) {
        let image = runner.image
        logger.notice("agent running", metadata: [
            "agent": .string(runner.name), "plugin": .string(image.name), "plugin.file": .string(image.sourcePath),
            "plugin.version": .string(image.version), "plugin.image": .string(image.privatePath),
        ])
    }

    static func baseName(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// `Service`: starts, waits for a graceful shutdown signal, then stops.
    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await stop()
    }

    /// The sidecar of a plugin file: `NAME.yaml` beside `NAME.so`.
    public static func sidecarPath(for pluginPath: String) -> String {
        let url = URL(fileURLWithPath: pluginPath)
        return url.deletingPathExtension().path + ".yaml"
    }
}
