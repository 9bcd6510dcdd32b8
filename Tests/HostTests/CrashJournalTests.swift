import Foundation
@testable import SluiceHost
import Testing
import TestSupport

/// The crash journal's file: what a worker notes before a plugin call, what
/// the fatal-signal handler adds, and what the next start reads back
/// (through a real file and a real shared mapping).
@Suite("Crash journal")
struct CrashJournalTests {
    /// Notes a call of `records` records from `first` on `slot`, as a worker does.
    private func begin(_ slot: CrashJournalSlot, agent: String, topic: String, partition: Int32,
                       first: Int64, records: Int) {
        let handle = PartitionHandle(partition: TopicPartition(topic, partition))
        Array(agent.utf8).withUnsafeBytes { name in
            slot.begin(agent: name, topic: handle.topicCString, topicLength: handle.topicLength, partition: partition,
                       first: first, last: first + Int64(max(records, 1)) - 1, records: records)
        }
    }

    /// What a start would read from `path` now: opens the journal (which starts
    /// a fresh one) and closes it again, releasing its lock.
    private func reopen(_ path: String) throws -> CrashJournal.Previous {
        try openWhenFree(path).previous
    }

    /// Opens the journal at `path`, waiting up to a second while its lock is
    /// still held: a child process another test spawns at the moment this
    /// test closes the journal holds a copy of its descriptor (and so the
    /// lock) until the child's exec closes it.
    private func openWhenFree(_ path: String) throws -> (journal: CrashJournal, previous: CrashJournal.Previous) {
        for _ in 0..<100 {
            if let opened = try? CrashJournal.open(path: path) { return opened }
            usleep(10_000)
        }
        return try CrashJournal.open(path: path)
    }

    /// Notes calls on slots of a journal at `path` as `body` says, then lets it go.
    private func withJournal(_ path: String, _ body: (CrashJournal) throws -> Void) throws {
        let (journal, _) = try openWhenFree(path)
        try body(journal)
    }

    @Test("a call in flight with the signal of its thread is read back by the next open; freed slots are not; the new journal starts empty; a second open while one lives is refused")
    func writeReadClear() throws {
        let directory = try TemporaryDirectory(prefix: "sluice-journal")
        defer { directory.remove() }
        let path = directory.file("quarantine/in-flight")
        #expect(try reopen(path).inFlight.isEmpty)
        try withJournal(path) { journal in
            let crashing = try #require(journal.slot(3)), innocent = try #require(journal.slot(0)), done = try #require(journal.slot(1))
            begin(crashing, agent: "recorder", topic: "orders", partition: 2, first: 100, records: 50)
            begin(innocent, agent: "enricher", topic: "clicks", partition: 0, first: 7, records: 1)
            begin(done, agent: "recorder", topic: "orders", partition: 1, first: 0, records: 10)
            done.end()
            crashing.recordSignal(SIGSEGV)
            #expect(journal.slot(CrashJournalLayout.workerSlotCount) == nil, "workers past their slots are not journaled")
            #expect(throws: CrashJournal.ReadError(description: "\(path) is locked by another host process on the same data directory")) {
                try CrashJournal.open(path: path)
            }
        }

        let previous = try reopen(path)
        #expect(previous.problem == nil)
        #expect(previous.inFlight == [
            CrashJournalEntry(agent: "enricher", topic: "clicks", partition: 0, firstOffset: 7, lastOffset: 7, records: 1, signal: 0),
            CrashJournalEntry(agent: "recorder", topic: "orders", partition: 2, firstOffset: 100, lastOffset: 149, records: 50, signal: SIGSEGV),
        ])
        #expect(previous.inFlight.filter(\.crashed).map(\.source) == [TopicPartition("orders", 2)])
        #expect(try reopen(path).inFlight.isEmpty, "each open starts a fresh journal")
    }

    @Test("the slots past the workers' are lent one at a time, all distinct, until none is left; one given back is lent again; a lent slot's call is read back like a worker's")
    func spareSlots() throws {
        let directory = try TemporaryDirectory(prefix: "sluice-journal")
        defer { directory.remove() }
        let path = directory.file("quarantine/in-flight")
        try withJournal(path) { journal in
            var lent: [Int] = []
            while let (number, _) = journal.borrowSpareSlot() { lent.append(number) }
            #expect(Set(lent) == Set(CrashJournalLayout.workerSlotCount..<CrashJournalLayout.slotCount))
            #expect(lent.count == CrashJournalLayout.slotCount - CrashJournalLayout.workerSlotCount)
            journal.returnSpareSlot(lent[5])
            let again = try #require(journal.borrowSpareSlot())
            #expect(again.number == lent[5])
            begin(again.slot, agent: "fast", topic: "clicks", partition: 1, first: 40, records: 1000)
            again.slot.recordSignal(SIGSEGV)
        }
        #expect(try reopen(path).inFlight == [
            CrashJournalEntry(agent: "fast", topic: "clicks", partition: 1, firstOffset: 40, lastOffset: 1039, records: 1000, signal: SIGSEGV),
        ])
    }

    @Test("the signal handler's store lands only in a slot that is in a call; a call of timers is journaled with no records")
    func signalOnlyInACall() throws {
        let directory = try TemporaryDirectory(prefix: "sluice-journal")
        defer { directory.remove() }
        let path = directory.file("in-flight")
        try withJournal(path) { journal in
            let idle = try #require(journal.slot(5)), timers = try #require(journal.slot(6))
            idle.recordSignal(SIGABRT)
            begin(timers, agent: "counter", topic: "events", partition: 1, first: -1, records: 0)
            timers.recordSignal(SIGBUS)
        }
        let previous = try reopen(path).inFlight
        #expect(previous == [CrashJournalEntry(agent: "counter", topic: "events", partition: 1, firstOffset: -1, lastOffset: -1,
                                               records: 0, signal: SIGBUS)])
    }

    @Test("a foreign file, a torn file and a torn slot are ignored with the reason; a fresh journal replaces them")
    func foreignAndTornFiles() throws {
        let directory = try TemporaryDirectory(prefix: "sluice-journal")
        defer { directory.remove() }
        let path = directory.file("in-flight")

        try Data("not a journal at all".utf8).write(to: URL(fileURLWithPath: path))
        let foreign = try reopen(path)
        #expect(foreign.inFlight.isEmpty)
        #expect(foreign.problem?.description == "\(path) is not a crash journal (no SLUICEQJ header); ignored")
        #expect(try reopen(path).problem == nil, "the foreign file was replaced by a journal")

        var truncated = [UInt8](repeating: 0, count: 300)
        CrashJournal.writeHeader(into: &truncated)
        try Data(truncated).write(to: URL(fileURLWithPath: path))
        #expect(try reopen(path).problem?.description
                == "\(path) is torn: 300 bytes, expected \(CrashJournalLayout.fileSize); ignored")

        var otherVersion = [UInt8](repeating: 0, count: CrashJournalLayout.fileSize)
        CrashJournal.writeHeader(into: &otherVersion)
        otherVersion[CrashJournalLayout.versionOffset] = 9
        #expect(throws: CrashJournal.ReadError.self) { try CrashJournal.read(otherVersion, path: path) }

        var tornSlot = [UInt8](repeating: 0, count: CrashJournalLayout.fileSize)
        CrashJournal.writeHeader(into: &tornSlot)
        let slot = CrashJournalLayout.headerSize + 2 * CrashJournalLayout.slotSize
        tornSlot[slot + CrashJournalLayout.stateOffset] = 1
        tornSlot[slot + CrashJournalLayout.agentLengthOffset + 1] = 0xFF  // an agent name of 65 280 bytes
        #expect(throws: CrashJournal.ReadError(description: "\(path) is torn: slot 2 holds lengths or offsets out of range; ignored")) {
            try CrashJournal.read(tornSlot, path: path)
        }
    }
}
