@testable import SluiceHost
import Testing
import TestSupport

/// The restore rule on changelogs written by hand: which writes a marker
/// applies, what a tail after the last marker becomes, and where a restore
/// starts and resumes. The crash tests reach these cases by chance; here
/// each one is laid out on purpose, on both store back ends.
@Suite("StateTests: the restore rule on hand-built changelogs")
struct StateRestorerTests {
    /// A memory broker holding the changelogs of tables `t` and `u` (one partition each).
    struct Changelogs {
        let transport = MemoryTransport()
        static let topics = ["t": "g.t-changelog", "u": "g.u-changelog"]

        init() throws {
            for topic in Self.topics.values { try transport.ensureChangelogTopic(topic, partitions: 1) }
        }

        func write(_ table: String, _ key: [UInt8], _ value: [UInt8]?, owner: String, seal: UInt64) {
            _ = transport.broker.append(ChangelogRecord.record(
                for: StateWrite(table: table, key: key, value: value), topic: Self.topics[table]!, partition: 0,
                owner: owner, seal: seal))
        }

        func marker(_ table: String, owner: String, seal: UInt64, offset: Int64) {
            _ = transport.broker.append(ChangelogRecord.record(
                for: SealMarker(owner: owner, seal: seal, offset: offset), topic: Self.topics[table]!, partition: 0))
        }

        /// Restores partition 0 into `store`, recording the progress it reports.
        func restore(into store: any StateStore) throws -> (StateRestorer.Outcome, [(Int64, Int64)]) {
            let reports = Reports()
            let restorer = StateRestorer(partition: TopicPartition("in", 0), store: store, transport: transport,
                                         changelogs: Self.topics) { restored, total in reports.add((restored, total)) }
            let outcome = try restorer.restore()
            return (outcome, reports.all)
        }
    }

    final class Reports: @unchecked Sendable {
        // @unchecked: the restorer reports on the calling thread only.
        private(set) var all: [(Int64, Int64)] = []
        func add(_ report: (Int64, Int64)) { all.append(report) }
    }

    @Test("a marker applies its owner's writes of its seal and earlier, and drops a former owner's late writes",
          arguments: StoreBackend.allCases)
    func markerAppliesItsOwnersWrites(backend: StoreBackend) throws {
        let log = try Changelogs()
        log.write("t", [1], [10], owner: "a", seal: 1)
        for table in ["t", "u"] { log.marker(table, owner: "a", seal: 1, offset: 9) }
        // The partition moved to owner b, which seals 2; owner a, not yet
        // fenced, still wrote key 1 in between. Its write must not stand.
        log.write("t", [2], [20], owner: "b", seal: 2)
        log.write("t", [1], [99], owner: "a", seal: 2)
        log.write("u", [7], [70], owner: "b", seal: 2)
        for table in ["t", "u"] { log.marker(table, owner: "b", seal: 2, offset: 19) }

        try backend.withStore { store in
            let (outcome, reports) = try log.restore(into: store)
            #expect(try store.value("t", 0, [1]) == [10])
            #expect(try store.value("t", 0, [2]) == [20])
            #expect(try store.value("u", 0, [7]) == [70])
            #expect(outcome.checkpoint.sealSequence == 2)
            #expect(outcome.checkpoint.appliedOffset == 19)
            #expect(outcome.checkpoint.changelogPositions == ["t": 5, "u": 3])
            #expect(outcome.restoredRecords == 8)
            #expect(outcome.repairKeys.isEmpty)
            #expect(reports.first.map { $0 == (0, 8) } == true, "progress starts at 0 of 8: \(reports)")
            #expect(reports.last.map { $0 == (8, 8) } == true, "progress ends at 8 of 8: \(reports)")
            // The store's checkpoint is the outcome's: a restart reads nothing.
            #expect(try store.checkpoint(partition: 0) == outcome.checkpoint)
            let (again, _) = try log.restore(into: store)
            #expect(again.restoredRecords == 0)
        }
    }

    @Test("writes after a table's last marker stand when another table's marker closes their seal",
          arguments: StoreBackend.allCases)
    func tailClosedByAnotherTable(backend: StoreBackend) throws {
        let log = try Changelogs()
        log.write("t", [1], [10], owner: "a", seal: 1)
        for table in ["t", "u"] { log.marker(table, owner: "a", seal: 1, offset: 5) }
        // Seal 2: every write is in before the first marker is produced, and
        // the crash came after u's marker, before t's.
        log.write("t", [2], [20], owner: "a", seal: 2)
        log.write("u", [3], [30], owner: "a", seal: 2)
        log.marker("u", owner: "a", seal: 2, offset: 12)

        try backend.withStore { store in
            let (outcome, _) = try log.restore(into: store)
            #expect(try store.value("t", 0, [2]) == [20])
            #expect(try store.value("u", 0, [3]) == [30])
            #expect(outcome.checkpoint.sealSequence == 2)
            #expect(outcome.checkpoint.appliedOffset == 12)
            // The tail's key is written again with a marker, so the next
            // restore does not depend on u's marker still being there.
            #expect(outcome.repairKeys == ["t": [[2]]])
        }
    }

    @Test("an unfinished seal is dropped, and the keys it touched are named for repair",
          arguments: StoreBackend.allCases)
    func unfinishedSealDropped(backend: StoreBackend) throws {
        let log = try Changelogs()
        log.write("t", [1], [10], owner: "a", seal: 1)
        for table in ["t", "u"] { log.marker(table, owner: "a", seal: 1, offset: 5) }
        // Seal 2 crashed before any marker: its writes are in t, none stands.
        log.write("t", [1], [11], owner: "a", seal: 2)
        log.write("t", [3], [30], owner: "a", seal: 2)
        log.write("t", [1], nil, owner: "a", seal: 2)

        try backend.withStore { store in
            let (outcome, _) = try log.restore(into: store)
            #expect(try store.value("t", 0, [1]) == [10])
            #expect(try store.value("t", 0, [3]) == nil)
            #expect(outcome.checkpoint.sealSequence == 1)
            #expect(outcome.checkpoint.appliedOffset == 5)
            #expect(outcome.repairKeys == ["t": [[1], [3]]])
        }
    }

    @Test("a restore reads on from the local checkpoint, and starts over when a changelog is shorter than it says",
          arguments: StoreBackend.allCases)
    func startsFromTheCheckpoint(backend: StoreBackend) throws {
        let log = try Changelogs()
        log.write("t", [1], [10], owner: "a", seal: 1)
        for table in ["t", "u"] { log.marker(table, owner: "a", seal: 1, offset: 5) }

        try backend.withStore { store in
            let (first, _) = try log.restore(into: store)
            #expect(first.restoredRecords == 3)

            log.write("t", [1], [11], owner: "b", seal: 2)
            for table in ["t", "u"] { log.marker(table, owner: "b", seal: 2, offset: 8) }
            let (second, _) = try log.restore(into: store)
            #expect(second.restoredRecords == 3, "only the records after the checkpoint are read")
            #expect(try store.value("t", 0, [1]) == [11])
            #expect(second.checkpoint.sealSequence == 2)
            #expect(second.checkpoint.appliedOffset == 8)

            // A checkpoint ahead of the changelog (the topic was recreated):
            // the partition's state is dropped and restored from what is there.
            try store.put("t", 0, [([5], [50])], checkpoint: StateCheckpoint(
                appliedOffset: 100, sealSequence: 9, changelogPositions: ["t": 1_000, "u": 1_000]))
            let (third, _) = try log.restore(into: store)
            #expect(third.restoredRecords == 6)
            #expect(try store.value("t", 0, [5]) == nil)
            #expect(try store.value("t", 0, [1]) == [11])
            #expect(third.checkpoint.sealSequence == 2)
        }
    }

    @Test("a changelog record that is not a write or a marker fails the restore, naming its topic and offset")
    func unreadableRecordNamed() throws {
        let log = try Changelogs()
        log.write("t", [1], [10], owner: "a", seal: 1)
        _ = log.transport.broker.append(OutgoingRecord(topic: "g.t-changelog", partition: 0, key: [7], value: [1]))
        try StoreBackend.memory.withStore { store in
            let error = #expect(throws: StateStoreError.self) { try log.restore(into: store) }
            #expect(error?.description == "changelog g.t-changelog partition 0 offset 1: a key starting with byte 7, neither a write (1) nor a marker (0)")
        }
    }
}
