import Foundation
import SluiceSDK

/// A typed, async agent whose behaviour depends on the order's quantity, so
/// one batch exercises every outcome.
struct OrderAgent: Agent {
    struct Input: Decodable, Sendable {
        let id: String
        let user: String
        let quantity: Int
    }
    struct Configuration: Decodable, Sendable {
        let output: String
        let limit: Int?
    }
    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "inventory service unreachable" }
    }

    static let name = "orders-test"
    static let version = "2.3.4"
    static let summary: String? = "test agent"
    static let topics = ["orders", "orders.replay"]
    static let capabilities: Capabilities = [.produces]
    static let configurationSchema: String? = #"{"type":"object"}"#

    let output: String

    static func validate(_ configuration: Configuration) throws {
        if let limit = configuration.limit, limit < 1 { throw ConfigurationError("'limit' must be at least 1") }
    }

    init(configuration: Configuration, host: HostServices) {
        output = configuration.output
    }

    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome {
        try await Task.sleep(for: .milliseconds(1)) // really asynchronous
        switch record.value.quantity {
        case 0: throw AgentError.deadLetter("zero quantity")
        case 13: throw AgentError.skip
        case 42: throw AgentError.retry("try again later")
        case 99: throw Unreachable()
        case 666: throw AgentError.fatal("cannot go on")
        case ..<0: return .deadLetter(reason: "negative")
        default:
            try context.produce(topic: output, key: record.key, value: "\(record.value.user):\(record.value.quantity)",
                                headers: [RecordHeader(name: "source-offset", value: String(record.offset))])
            context.counter("handled").add()
            return .ok
        }
    }
}

/// Per-partition state of ``ShoutAgent``: how many messages it saw.
final class SeenCounter {
    var seen = 0
}

/// A zero-copy batch agent: upper-cases values straight from the borrowed
/// bytes, keeps a per-partition counter, can finish batches later.
struct ShoutAgent: BatchAgent {
    typealias PartitionState = SeenCounter
    static let name = "shout"
    static let topics = ["words"]

    let host: HostServices

    init(configuration: EmptyConfiguration, host: HostServices) { self.host = host }

    func openPartition(topic: String, partition: Int32) throws -> SeenCounter? { SeenCounter() }

    func closePartition(topic: String, partition: Int32, state: SeenCounter?) {
        host.log(.info, "\(topic)[\(partition)] saw \(state?.seen ?? -1)")
    }

    func handle(_ batch: inout MessageBatch) throws {
        if let first = batch.messages.first, first.valueString == "explode" { throw AgentError.retry("exploded") }
        batch.partitionState(as: SeenCounter.self)?.seen += batch.count
        for index in 0..<batch.count {
            let message = batch[index]
            guard let value = message.value else { batch.skip(at: index); continue }
            if value.elementsEqual("bad".utf8) { batch.deadLetter(at: index, reason: "bad word"); continue }
            let upper = value.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
            try batch.produce(topic: "shouted", key: message.key, value: upper)
        }
        if batch.topic == "later" {
            let pending = batch.finishLater()
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: 0.05)
                pending.retry(at: 0, reason: "decided later")
                pending.complete()
            }
        }
    }
}

/// The name of the thread running the caller, as the platform keeps it (on
/// Linux the kernel's name, at most 15 bytes).
func currentThreadName() -> String {
    Thread.current.name ?? ""
}

/// A typed agent that reports where its code runs: each record produces
/// `<thread at start>|<thread after a sleep>|<thread of an async let child>`
/// to `threads`, and ``flush()`` logs `flushed on <thread>`.
///
/// The name is four letters so that its threads' name, `sluice-sdk-lane`,
/// fits Linux's 15-byte limit whole.
struct LaneAgent: Agent {
    struct Input: Decodable, Sendable {}
    static let name = "lane"
    static let topics = ["lanes"]

    let host: HostServices

    init(configuration: EmptyConfiguration, host: HostServices) { self.host = host }

    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome {
        let atStart = currentThreadName()
        try await Task.sleep(for: .milliseconds(1))
        let afterSleep = currentThreadName()
        async let inChild = currentThreadName()
        try context.produce(topic: "threads", key: record.key, value: "\(atStart)|\(afterSleep)|\(await inChild)")
        return .ok
    }

    func flush() async throws {
        try await Task.sleep(for: .milliseconds(1))
        host.log(.info, "flushed on \(currentThreadName())")
    }
}

/// A typed agent that does nothing, for counting the threads instances start
/// and stop (its threads are named `sluice-sdk-turn`).
struct TurnAgent: Agent {
    struct Input: Decodable, Sendable {}
    static let name = "turn"
    static let topics = ["turns"]

    init(configuration: EmptyConfiguration, host: HostServices) {}

    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome { .ok }
}
