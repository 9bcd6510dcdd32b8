import Foundation
import SluiceHost

// The admin API's bodies (AdminAPIModels.swift) built from what the runtime reports.

extension ReadinessReport {
    /// The readiness of `runtime` now.
    public init(_ runtime: SluiceRuntime) {
        ready = runtime.isReady
        reasons = []
        guard !ready else { return }
        if !runtime.transport.isReachable {
            reasons.append("broker \(runtime.configuration.broker) is not reachable")
        }
        for status in runtime.agents {
            if case .running = status.state { continue }
            reasons.append("agent \(status.name) is \(status.state)")
        }
        if reasons.isEmpty { reasons.append("the host is starting or stopping") }
    }
}

extension AgentsReport {
    /// The report of `runtime` now.
    public init(_ runtime: SluiceRuntime) {
        let events = runtime.reloadEvents
        let refusedFiles = runtime.refusedFiles
        agents = runtime.agents.map { status in
            // The agent's own sidecar's refusal, else its plugin file's.
            AgentReport(status, lastReload: events.last { $0.agent == status.name },
                        refusal: refusedFiles.first { $0.agent == status.name }
                            ?? refusedFiles.first { $0.agent == status.plugin },
                        lag: runtime.lag(of: status))
        }
        refused = refusedFiles.map(RefusalReport.init)
        reloads = events.map(ReloadReport.init)
        at = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        host = HostReport(runtime)
    }
}

extension SluiceRuntime {
    /// The consumer lag of each of `status`'s partitions that the transport
    /// knows (it asks no broker: see `Transport.lag`).
    func lag(of status: AgentStatus) -> [TopicPartition: Int64] {
        guard let runner = agent(status.name) else { return [:] }
        return transport.lag(group: runner.group, partitions: status.partitions)
    }
}

extension PluginsReport {
    /// The plugins `runtime`'s agents run now.
    public init(_ runtime: SluiceRuntime) {
        plugins = runtime.pluginsInUse.map { image, agents in
            PluginReport(name: image.name, version: image.version, sha256: image.sha256, file: image.sourcePath,
                         abi: "1.\(image.abiMinor)", swiftRelease: image.swiftToolchain?.swiftRelease, agents: agents)
        }
    }
}

extension HostReport {
    /// The host part of `runtime`'s report now.
    public init(_ runtime: SluiceRuntime, now: Date = Date()) {
        transport = runtime.configuration.broker.description
        let started = runtime.startedAt
        startedAt = started?.formatted(.iso8601)
        uptimeSeconds = started.map { max(0, now.timeIntervalSince($0)) }
    }
}

extension AgentReport {
    /// The report of `status`; `lastReload` is the agent's latest reload event,
    /// `refusal` the refusal of its plugin file if the file is refused now,
    /// `lag` the consumer lag of the partitions whose lag the transport knows.
    public init(_ status: AgentStatus, lastReload: ReloadEvent? = nil, refusal: RefusedPluginFile? = nil,
                lag: [TopicPartition: Int64] = [:]) {
        self.lastReload = lastReload.map(ReloadReport.init)
        self.refusal = refusal.map(RefusalReport.init)
        name = status.name
        plugin = status.plugin
        version = status.version
        sha256 = status.sha256
        config = status.config
        switch status.state {
        case .running: state = "running"
        case .paused(let reason): state = "paused"; stateReason = reason
        case .failed(let reason): state = "failed"; stateReason = reason
        case .stopped: state = "stopped"
        }
        partitions = status.partitions.map { Partition(topic: $0.topic, partition: $0.partition, lag: lag[$0]) }
        let known = partitions.compactMap(\.lag)
        self.lag = known.isEmpty ? nil : known.reduce(0, +)
        inFlight = status.inFlight
        processed = status.processed
        deadLettered = status.deadLettered
        retried = status.retried
        pluginCrashes = status.pluginCrashes
        isolation = status.isolation.rawValue
        lastError = status.lastError
        tables = status.tables
        finishWindow = status.finishWindow.map(FinishWindowReport.init)
        restores = status.restores.map {
            RestoreReport(topic: $0.partition.topic, partition: $0.partition.partition, restored: $0.restored,
                          total: $0.total, done: $0.isDone)
        }
    }
}

extension ReloadReport {
    /// The report of `event`.
    public init(_ event: ReloadEvent) {
        agent = event.agent
        file = event.file
        switch event.outcome {
        case .started: outcome = "started"
        case .upgraded: outcome = "upgraded"
        case .stopped: outcome = "stopped"
        case .unchanged: outcome = "unchanged"
        case .refused(let why): outcome = "refused"; reason = why
        }
        pauseMilliseconds = event.pause.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
        at = event.at.formatted(.iso8601)
    }
}

extension RefusalReport {
    /// The report of a refused file.
    public init(_ refused: RefusedPluginFile) {
        file = refused.file
        reason = refused.refusal.reason.rawValue
        detail = refused.refusal.detail
        at = refused.at.formatted(.iso8601)
    }
}

extension TopicRecordsReport {
    /// The records of `partitions`, as the transport read them back.
    init(topic: String, partitions: [PartitionRecords]) {
        self.init(topic: topic, records: partitions.flatMap { read in
            read.records.map { record in
                Record(partition: read.partition.partition, offset: record.offset, key: record.keyText,
                       value: record.valueText,
                       headers: Dictionary(record.headers.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) },
                                           uniquingKeysWith: { $1 }))
            }
        })
    }
}
