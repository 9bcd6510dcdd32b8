@testable import SluiceHost
import Testing

/// Records fetched for the state machine's tests: offsets only.
struct FakeFetched: FetchedRecords {
    let source: TopicPartition
    let firstOffset: Int64
    let count: Int
    var lastOffset: Int64 { firstOffset + Int64(count) - 1 }
}

/// A delivery for the state machine's tests: the offsets it carries.
struct FakeDelivery: DeliveryRecords, Equatable {
    let id: UInt64
    let attempt: UInt32
    let ticket: OffsetLedger.Ticket
    let offsets: [Int64]
    var count: Int { offsets.count }
    func offset(at index: Int) -> Int64 { offsets[index] }
}

/// Hands out delivery ids, as the shell's atomic counter does.
final class FakeIDSource: @unchecked Sendable {
    private var next: UInt64 = 1
    func take() -> UInt64 { defer { next += 1 }; return next }
}

struct FakeFactory: DeliveryFactory {
    let ids = FakeIDSource()

    func firstDelivery(of fetched: FakeFetched, resources: Void, ticket: OffsetLedger.Ticket) -> FakeDelivery {
        FakeDelivery(id: ids.take(), attempt: 1, ticket: ticket,
                     offsets: (0..<fetched.count).map { fetched.firstOffset + Int64($0) })
    }

    func redelivery(of delivery: FakeDelivery, indices: [Int]) -> FakeDelivery {
        FakeDelivery(id: ids.take(), attempt: delivery.attempt + 1, ticket: delivery.ticket,
                     offsets: indices.map { delivery.offsets[$0] })
    }

    func timerDelivery(resources: Void, ticket: OffsetLedger.Ticket) -> FakeDelivery {
        FakeDelivery(id: ids.take(), attempt: 1, ticket: ticket, offsets: [])
    }
}

/// A state machine driven by hand: a clock that moves only when told, and the
/// actions of the last event kept for the test to read.
struct MachineDriver {
    typealias Machine = AgentStateMachine<FakeFactory>
    var machine: Machine
    var now: Duration = .seconds(1000)
    /// Actions of the most recent event.
    var actions: [AgentAction<FakeDelivery>] = []

    init(maxInFlight: Int = 10_000, maxAttempts: Int = 3, onExhausted: FailurePolicy = .deadLetter,
         batchTimeout: Duration = .seconds(30), stateful: Bool = false) {
        machine = Machine(factory: FakeFactory(), limits: .init(
            maxInFlight: maxInFlight, maxAttempts: maxAttempts, onExhausted: onExhausted, batchTimeout: batchTimeout,
            stateful: stateful))
    }

    static let topic = "t"
    static func partition(_ number: Int32) -> TopicPartition { TopicPartition(topic, number) }

    @discardableResult
    mutating func assign(_ number: Int32, at offset: Int64 = 0) -> LaneID {
        machine.assigned(Self.partition(number), startOffset: offset, resources: ())
    }

    /// Fetches `count` records of partition `number` from `offset`; returns the deliveries dispatched.
    @discardableResult
    mutating func fetch(_ number: Int32, from offset: Int64, count: Int) -> [FakeDelivery] {
        actions = []
        _ = machine.fetched([FakeFetched(source: Self.partition(number), firstOffset: offset, count: count)],
                            now: now, into: &actions)
        return dispatched
    }

    /// Partition 0 assigned, one batch of `count` records dispatched, and
    /// that batch's produce tally with `produced` records noted on it.
    mutating func batchWithTally(count: Int, produced: Int) throws -> (lane: LaneID, batch: FakeDelivery, tally: ProduceTally) {
        let lane = assign(0)
        let dispatched = fetch(0, from: 0, count: count)
        let batch = try #require(dispatched.first)
        let tally = try #require(machine.produceTally(for: batch.id))
        for _ in 0..<produced { #expect(tally.produced()) }
        return (lane, batch, tally)
    }

    mutating func returned(_ delivery: FakeDelivery, _ answer: BatchReturn) {
        actions = []
        machine.returned(delivery.id, answer, now: now, into: &actions)
    }

    mutating func done(_ delivery: FakeDelivery) { returned(delivery, .done(.allFinished(delivery.count))) }

    @discardableResult
    mutating func complete(_ delivery: FakeDelivery, results: DeliveryResults? = nil, fatal: Bool = false) -> CompletionOutcome {
        actions = []
        return machine.completed(delivery.id, fatal: fatal, results: results ?? .allFinished(delivery.count),
                                 now: now, into: &actions)
    }

    mutating func retryDue(_ retry: FakeDelivery, lane: LaneID) {
        actions = []
        machine.retryDue(retry, lane: lane, now: now, into: &actions)
    }

    mutating func tick(after elapsed: Duration) {
        now += elapsed
        actions = []
        machine.batchTimeoutTick(now: now, into: &actions)
    }

    /// Deliveries the last event dispatched.
    var dispatched: [FakeDelivery] {
        actions.compactMap { if case .dispatch(let delivery) = $0 { delivery } else { nil } }
    }

    /// Retries the last event scheduled.
    var scheduledRetries: [(lane: LaneID, retry: FakeDelivery, backoffAttempt: Int)] {
        actions.compactMap { if case .scheduleRetry(let lane, let retry, let attempt) = $0 { (lane, retry, attempt) } else { nil } }
    }

    /// Dead letters the last event asked for.
    var deadLetters: [DeadLetterOrder<FakeDelivery>] {
        actions.compactMap { if case .deadLetter(let order) = $0 { order } else { nil } }
    }

    /// The failure the last event reported, if any.
    var failure: String? {
        actions.lazy.compactMap { if case .fail(let reason) = $0 { reason } else { nil } }.first
    }

    /// What would be committed for partition `number` now.
    func committable(_ number: Int32) -> Int64? {
        machine.offsetsToCommit()[Self.partition(number)]
    }
}
