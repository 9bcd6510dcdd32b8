import Foundation
import SluiceHost
import TestSupport

/// One chaos scenario's world: an input topic on a Kafka broker, one agent
/// consuming it (by default the C recorder of Tests/Fixtures/recorder.c, which
/// writes what it finished to an output topic), a sluice.yaml for the
/// `sluice run` child processes the scenario kills, freezes or stops, and a
/// reader of what the recorder finished.
final class ChaosRun {
    /// The agent under test.
    enum Agent {
        /// The recorder, writing "<partition>:<offset>:<value>" to the output topic.
        case recorder
        /// The built redis plugin (libSluiceRedis.so) with these sidecar lines
        /// (`config:` and whatever else the scenario needs).
        case redis(sidecar: String)
        /// The stateful counter (Tests/Fixtures/stateful_counter.c), writing
        /// the recorder's lines and counting in a table; `sidecar` adds lines.
        case statefulCounter(sidecar: String)

        var name: String {
            switch self {
            case .recorder: "recorder"
            case .redis: "redis"
            case .statefulCounter: "stateful-counter"
            }
        }
    }

    let world: KafkaTestWorld
    let host: KafkaHost
    let agent: Agent
    let input: String
    /// The recorder's output topic.
    let output: String
    /// The sluice.yaml the child processes run with.
    let configurationFile: String
    /// Every child's log, appended run after run.
    let logFile: String
    /// The agent's batch size and in-flight limit (written into its sidecar).
    let batchSize: Int
    let maxInFlight: Int
    /// How often the host commits finished offsets.
    let commitInterval: Duration
    private var reader: TopicReader?
    private var recorded = RecordingLedger()
    /// Output records already counted into `recorded`.
    private var counted = 0

    /// Sets up topics, plugin and configuration on `world`'s broker.
    /// `isolation` is the agent's sidecar `isolation:` (`in_process` or `process`).
    /// `recorderDelay`: the recorder's pause per batch (its `delay_us`), so
    /// a run lasts long enough for a test to act while records flow.
    init(world: KafkaTestWorld, agent: Agent = .recorder, batchSize: Int, maxInFlight: Int,
         commitInterval: Duration = .milliseconds(200), isolation: String = "in_process",
         recorderDelay: Duration = .zero) async throws {
        self.world = world
        self.agent = agent
        self.batchSize = batchSize
        self.maxInFlight = maxInFlight
        self.commitInterval = commitInterval
        var host = try KafkaHost(world: world)
        host.harness.configuration.commitInterval = commitInterval
        self.host = host
        input = world.name("input")
        output = world.name("recorded")
        let common = "topics: [\(input)]\nbatch_size: \(batchSize)\nmax_in_flight: \(maxInFlight)\nisolation: \(isolation)\n"
        switch agent {
        case .recorder:
            let delay = Int(recorderDelay / .microseconds(1))
            try await host.harness.installRecorder(sidecar: common + "config:\n  output: \(output)\n  delay_us: \(delay)\n")
        case .redis(let sidecar):
            try host.harness.installBuiltPlugin(product: "SluiceRedis", as: agent.name, sidecar: common + sidecar)
        case .statefulCounter(let sidecar):
            try await CPluginCompiler.compile(sources: [RepositoryPaths.path("Tests/Fixtures/stateful_counter.c")],
                                              output: host.harness.pluginsDirectory + "/stateful-counter.so")
            try host.harness.writeSidecar(agent.name, common + "config:\n  output: \(output)\n" + sidecar)
        }
        let directory = host.harness.directory
        configurationFile = directory.file("sluice.yaml")
        logFile = directory.file("sluice.log")
        try host.configurationFile(pluginsDirectory: host.harness.pluginsDirectory, dataDirectory: directory.file("data"))
            .write(toFile: configurationFile, atomically: true, encoding: .utf8)
        let seeding = try world.transport()
        try await seeding.createTopicIfMissing(input)
        try await seeding.createTopicIfMissing(output)
    }

    /// The agent's consumer group.
    var group: String { host.group(of: agent.name) }

    /// Produces `count` records to the input; returns the end offset of each
    /// partition (one past its last record), read back from the broker.
    /// `value(i)` is record i's value (key "k<i>").
    func produceInput(count: Int, value: (Int) -> String = { "v\($0)" }) async throws -> [Int32: Int64] {
        let seeding = try world.transport()
        try await world.produce(input, count: count, through: seeding, value: value)
        return try await world.endOffsets(input, expected: count)
    }

    /// Starts `sluice run` on this configuration.
    func startHost(environment: [String: String] = [:]) throws -> SluiceProcess {
        try SluiceProcess(configuration: configurationFile, logFile: logFile, environment: environment)
    }

    /// What the recorder finished so far (reads what arrived since the last call).
    func ledger() async throws -> RecordingLedger {
        let reader: TopicReader
        if let existing = self.reader { reader = existing } else { reader = try await host.reader(output) }
        self.reader = reader
        await reader.drain(waitMilliseconds: 100)
        recorded.add(reader.records[counted...])
        counted = reader.records.count
        return recorded
    }

    /// What the recorder finished, once the output has stopped growing (no new
    /// record for `quiet`): after a host stopped or died, everything it got
    /// acknowledged has then reached the reader.
    func settledLedger(quiet: Duration = .seconds(1)) async throws -> RecordingLedger {
        var ledger = try await ledger()
        while true {
            try await Task.sleep(for: quiet)
            let next = try await self.ledger()
            if next.distinct + next.duplicates == ledger.distinct + ledger.duplicates { return next }
            ledger = next
        }
    }

    /// Waits until every input record below `ends` was finished at least once.
    func waitAllFinished(_ ends: [Int32: Int64], by process: SluiceProcess, timeout: Duration) async throws {
        try await eventually(timeout: timeout, "every input record finished") {
            guard process.isRunning else { throw HarnessError("sluice exited:\n\(process.logTail())") }
            return try await ledger().missing(ends: ends) == 0
        }
    }

    /// The agent group's committed offsets on the input, per partition.
    func committed() async throws -> [Int32: Int64] {
        try await world.committed(group: group, topic: input)
    }

    /// Deletes the temporary directory.
    func remove() { host.remove() }
}
