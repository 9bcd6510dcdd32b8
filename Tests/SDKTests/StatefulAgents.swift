import Foundation
import SluiceSDK

/// A page view, as the stateful test agents read it.
struct View: Codable, Sendable {
    let user: String
    var page: String? = nil
}

/// Counts views per user in a plain table and answers table commands, so
/// one agent exercises get, set, delete, update and range scans.
struct CounterAgent: Agent {
    struct Input: Decodable, Sendable {
        let op: String
        let user: String
        var value: Int? = nil
    }
    static let name = "counter-test"
    static let topics = ["page_views"]
    static let capabilities: Capabilities = [.produces]
    static let tables: [TableDeclaration] = [.table("counts")]

    init(configuration: EmptyConfiguration, host: HostServices) {}

    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome {
        let counts = context.table("counts", as: Int.self)
        let command = record.value
        switch command.op {
        case "count": try counts.update(command.user, default: 0) { $0 += 1 }
        case "set": try counts.set(command.user, command.value ?? 0)
        case "delete": try counts.delete(command.user)
        case "get":
            let value = try counts.get(command.user)
            try context.produce(topic: "answers", key: command.user, value: value.map(String.init) ?? "absent")
        case "scan":
            // `user` is a prefix here; an empty one scans the whole table.
            let entries = command.user.isEmpty ? try counts.entries() : try counts.entries(withPrefix: command.user)
            try context.produce(topic: "answers", key: nil, value: entries.map { "\($0.keyString)=\($0.value)" }.joined(separator: ","))
        case "raw":
            try context.rawTable("counts").set(command.user, Array("not json".utf8))
        case "undeclared":
            try context.table("elsewhere", as: Int.self).set(command.user, 1)
        default: return .deadLetter(reason: "unknown op")
        }
        return .ok
    }
}

/// What the windowed test agents share: each view of a user adds 1 to the
/// user's windows; every emitted window is produced to `windows` as
/// `user|start|end|count|final-or-update`.
protocol WindowCountAgent: Agent where Input == View, Configuration == EmptyConfiguration {
    init()
}

extension WindowCountAgent {
    static var topics: [String] { ["page_views"] }
    static var capabilities: Capabilities { [.produces] }

    init(configuration: EmptyConfiguration, host: HostServices) { self.init() }

    func handle(_ record: Record<View>, context: AgentContext) async throws -> Outcome {
        try await context.window("views", as: Int.self).update(record.value.user, at: record.timestampMilliseconds, default: 0) { $0 += 1 }
        return .ok
    }

    func windowEmitted(_ emission: WindowEmission, context: AgentContext) async throws {
        let count = try emission.value(as: Int.self)
        try context.produce(topic: "windows", key: emission.key,
                            value: "\(emission.key)|\(emission.windowStart)|\(emission.windowEnd)|\(count)|\(emission.isFinal ? "final" : "update")")
    }
}

/// Tumbling windows of 60 s with 10 s of grace.
struct TumblingAgent: WindowCountAgent {
    static let name = "tumbling-test"
    static let tables: [TableDeclaration] = [.windowed("views", .tumbling(.seconds(60)), grace: .seconds(10))]
}

/// Declares 60 s windows for the descriptor; the instance keeps 20 s windows
/// with 1 s of grace (as an agent taking its window from its configuration
/// does), and declares a table the descriptor does not name, which is ignored.
struct InstanceWindowAgent: WindowCountAgent {
    static let name = "instance-window-test"
    static let tables: [TableDeclaration] = [.windowed("views", .tumbling(.seconds(60)))]
    var tableDeclarations: [TableDeclaration] {
        [.windowed("views", .tumbling(.seconds(20)), grace: .seconds(1)), .table("unnamed")]
    }
}

/// Hopping windows of 60 s every 20 s, no grace.
struct HoppingAgent: WindowCountAgent {
    static let name = "hopping-test"
    static let tables: [TableDeclaration] = [.windowed("views", .hopping(size: .seconds(60), step: .seconds(20)))]
}

/// Sliding windows of 30 s, no grace.
struct SlidingAgent: WindowCountAgent {
    static let name = "sliding-test"
    static let tables: [TableDeclaration] = [.windowed("views", .sliding(.seconds(30)))]
}

/// Tumbling windows of 60 s emitted on every update, and also produced to a topic by the SDK.
struct UpdatingAgent: WindowCountAgent {
    static let name = "updating-test"
    static let tables: [TableDeclaration] = [
        .windowed("views", .tumbling(.seconds(60)), emit: .onUpdate, to: "views_by_minute"),
    ]
}

/// Declares an `every:` timer and a cron timer, and schedules its own on
/// request; each firing is produced to `ticks` and counted in a table.
struct TickingAgent: Agent {
    static let name = "ticking-test"
    static let topics = ["page_views"]
    static let capabilities: Capabilities = [.produces]
    static let tables: [TableDeclaration] = [.table("fired")]
    static let timers: [TimerDeclaration] = [
        .every(.seconds(10), name: "tick"),
        try! .cron("*/5 * * * *", name: "report"),
    ]

    init(configuration: EmptyConfiguration, host: HostServices) {}

    func handle(_ record: Record<View>, context: AgentContext) async throws -> Outcome {
        if record.value.page == "schedule" {
            try context.scheduleTimer("remind-\(record.value.user)", at: record.timestampMilliseconds + 5_000, clock: .stream)
        }
        return .ok
    }

    struct Oops: Error {}

    func onTimer(_ timer: TimerFiring, context: AgentContext) async throws {
        try await Task.sleep(for: .milliseconds(1)) // really asynchronous: on_timer must wait for it
        if timer.name == "remind-boom" { throw AgentError.fatal("cannot go on") }
        if timer.name == "remind-oops" { throw Oops() }
        try context.table("fired", as: Int.self).update(timer.name, default: 0) { $0 += 1 }
        try context.produce(topic: "ticks", key: nil, value: "\(timer.name)|\(timer.origin)|\(timer.clock)|\(timer.dueMilliseconds)")
    }
}

/// Declares a table name reserved for the host.
struct ReservedTableAgent: Agent {
    static let name = "reserved-table-test"
    static let topics = ["page_views"]
    static let tables: [TableDeclaration] = [.table("__changelog")]
    init(configuration: EmptyConfiguration, host: HostServices) {}
    func handle(_ record: Record<View>, context: AgentContext) async throws -> Outcome { .ok }
}
