@testable import SluiceHost
import Testing

/// A partition's state between settles and seals: what a seal takes when it
/// covers every decided write, and when it stops short of later ones whose
/// ledger entries were not done when they settled.
@Suite("StateTests: a partition's decided writes and their seals")
struct PartitionStateTests {
    /// One partition of agent `a` with table `t` on the in-memory store.
    struct Fixture {
        let store = MemoryStateStore()
        let agent: AgentState
        let partition: PartitionState
        private var nextID: UInt64 = 1

        init() throws {
            agent = AgentState(store: store, tables: ["t"], handlesTimers: false, group: "g", agent: "a")
            let topicPartition = TopicPartition("in", 0)
            partition = try PartitionState(partition: topicPartition, lane: LaneID(partition: topicPartition, generation: 1),
                                           store: store, tables: ["t"], handlesTimers: false, owner: "owner",
                                           checkpoint: .empty)
            agent.install(partition)
        }

        /// One delivery as ledger entry `ticket` that writes `writes` and settles.
        mutating func deliver(_ ticket: OffsetLedger.Ticket, covered: Bool, _ writes: [String: String?]) throws {
            let delivery = partition.begin(nextID, of: agent, records: writes.count, maxTimestamp: 0)
            nextID += 1
            for (key, value) in writes {
                try partition.put(delivery, table: "t", key: Array(key.utf8), value: value.map { Array($0.utf8) })
            }
            partition.settle(delivery, ticket: ticket, keep: true, covered: covered)
        }

        /// One delivery as ledger entry `ticket` that adds one to each of
        /// `keys` (a read, then a write of the same key: the read-modify-write
        /// of a count) and settles.
        mutating func count(_ ticket: OffsetLedger.Ticket, _ keys: [String]) throws {
            let delivery = partition.begin(nextID, of: agent, records: keys.count, maxTimestamp: 0)
            nextID += 1
            for key in keys {
                var count = 0
                _ = try Array(key.utf8).withUnsafeBytes { bytes in
                    try partition.withValue(delivery, table: "t", key: bytes) { count = Int(String(decoding: $0, as: UTF8.self))! }
                }
                try partition.put(delivery, table: "t", key: Array(key.utf8), value: Array(String(count + 1).utf8))
            }
            partition.settle(delivery, ticket: ticket, keep: true, covered: true)
        }

        /// What a delivery opened now reads for `key`.
        mutating func read(_ key: String) throws -> String? {
            let delivery = partition.begin(nextID, of: agent, records: 1, maxTimestamp: 0)
            nextID += 1
            defer { partition.settle(delivery, ticket: 0, keep: false, covered: true) }
            var value: String?
            _ = try Array(key.utf8).withUnsafeBytes { bytes in
                try partition.withValue(delivery, table: "t", key: bytes) { value = String(decoding: $0, as: UTF8.self) }
            }
            return value
        }

        /// Takes the seal through `ticket` and applies it to the store as the runner would.
        func seal(through ticket: OffsetLedger.Ticket) throws -> [String: String?] {
            guard let work = partition.takeSeal(through: ticket) else { return [:] }
            var checkpoint = partition.checkpoint
            checkpoint.sealSequence = work.sequence
            try store.apply(work.writes, checkpoint: checkpoint, partition: 0)
            partition.sealApplied(through: ticket, writes: work.writes, checkpoint: checkpoint)
            return Dictionary(uniqueKeysWithValues: work.writes.map {
                (String(decoding: $0.key, as: UTF8.self), $0.value.map { String(decoding: $0, as: UTF8.self) })
            })
        }
    }

    @Test("a seal over every decided write takes each key once, with its last value")
    func sealTakesEachKeyOnce() throws {
        var fixture = try Fixture()
        try fixture.deliver(1, covered: true, ["a": "1", "b": "1"])
        try fixture.deliver(2, covered: true, ["a": "2", "c": nil])
        #expect(try fixture.seal(through: 2) == ["a": "2", "b": "1", "c": nil] as [String: String?])
        #expect(try fixture.seal(through: 2).isEmpty, "nothing decided since: nothing to seal")
        #expect(try fixture.read("a") == "2", "sealed values are read back (from the cache)")
    }

    @Test("read-modify-writes of the same keys, within a delivery and across deliveries and seals, count exactly")
    func readModifyWriteCounts() throws {
        var fixture = try Fixture()
        try fixture.count(1, ["a", "b", "a"])
        #expect(try fixture.read("a") == "2")
        _ = try fixture.seal(through: 1)
        try fixture.count(2, ["a", "c", "b", "a"])
        try fixture.count(3, ["c"])
        #expect(try fixture.seal(through: 3) == ["a": "4", "b": "2", "c": "2"] as [String: String?])
        #expect(try fixture.read("a") == "4")
    }

    @Test("a seal that stops before a later delivery takes the values as they were at its end")
    func sealStopsShort() throws {
        var fixture = try Fixture()
        // Entry 1 settled, its outputs still unacknowledged; entry 2 settled after it and replaced a, deleted b.
        try fixture.deliver(1, covered: false, ["a": "1", "b": "1"])
        try fixture.deliver(2, covered: false, ["a": "2", "b": nil, "d": "2"])
        #expect(try fixture.read("a") == "2", "later deliveries read the newest decided value")
        // Entry 1 is done first: its seal must hold entry 1's values only.
        #expect(try fixture.seal(through: 1) == ["a": "1", "b": "1"])
        #expect(try fixture.read("a") == "2")
        #expect(try fixture.read("b") == nil)
        // Then entry 2's seal holds what entry 2 changed.
        #expect(try fixture.seal(through: 2) == ["a": "2", "b": nil, "d": "2"] as [String: String?])
        #expect(try fixture.seal(through: 2).isEmpty)
    }

    @Test("a write whose entry was done when it settled replaces without keeping the old value; the seal covers both")
    func coveredWritesKeepNothing() throws {
        var fixture = try Fixture()
        try fixture.deliver(1, covered: false, ["a": "1"])
        try fixture.deliver(2, covered: false, ["a": "2"])
        // Entry 3 settled with every entry before it done: any seal from now on covers 1, 2 and 3.
        try fixture.deliver(3, covered: true, ["a": "3"])
        #expect(try fixture.seal(through: 3) == ["a": "3"])
    }

    @Test("a seal that stops before every decided write of a key leaves it for the next seal")
    func keyOnlyDecidedLaterWaits() throws {
        var fixture = try Fixture()
        try fixture.deliver(1, covered: false, ["a": "1"])
        try fixture.deliver(2, covered: false, ["b": "2"])
        #expect(try fixture.seal(through: 1) == ["a": "1"])
        #expect(try fixture.seal(through: 2) == ["b": "2"])
    }
}
