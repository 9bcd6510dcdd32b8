import Foundation
@testable import SluiceHost
import Testing
import TestSupport

/// The crash history's decisions (record by record, dead letter), its file,
/// and the documented bound: a record that crashes its plugin whenever it is
/// handed over takes the host down at most three times.
@Suite("Crash history")
struct CrashHistoryTests {
    private static let partition = TopicPartition("orders", 1)

    private func crash(_ first: Int64, _ last: Int64, signal: Int32 = SIGSEGV, agent: String = "a",
                       partition: TopicPartition = partition) -> CrashJournalEntry {
        CrashJournalEntry(agent: agent, topic: partition.topic, partition: partition.partition, firstOffset: first,
                          lastOffset: last, records: Int(last - first + 1), signal: signal)
    }

    private func history(_ calls: CrashJournalEntry...) -> CrashHistory {
        var history = CrashHistory()
        history.record(calls, at: Date(timeIntervalSince1970: 0))
        return history
    }

    @Test("one crash in a batch asks nothing; two overlapping crashes isolate both ranges record by record")
    func overlappingCrashesIsolate() {
        #expect(history(crash(100, 149)).quarantine(of: "a").isEmpty)
        #expect(history(crash(100, 149), crash(150, 199)).quarantine(of: "a").isEmpty, "disjoint ranges: two different records")
        #expect(history(crash(100, 149), crash(120, 169, partition: TopicPartition("orders", 2))).quarantine(of: "a").isEmpty)
        #expect(history(crash(100, 149), crash(120, 169, agent: "b")).quarantine(of: "a").isEmpty)
        #expect(history(crash(100, 149), crash(90, 139)).quarantine(of: "a")
                == [Self.partition: PartitionQuarantine(recordByRecordThrough: 149)])
        #expect(history(crash(100, 149), crash(120, 169)).quarantine(of: "a")
                == [Self.partition: PartitionQuarantine(recordByRecordThrough: 169)])
    }

    @Test("a record in flight alone at a crash is dead-lettered with the signal's name; calls without a signal are not crashes")
    func aloneIsDeadLettered() {
        let decided = history(crash(100, 149), crash(120, 169), crash(130, 130, signal: SIGABRT)).quarantine(of: "a")
        #expect(decided == [Self.partition: PartitionQuarantine(recordByRecordThrough: 169,
                                                                deadLetters: [130: "plugin crashed (SIGABRT)"])])
        #expect(history(crash(7, 7, signal: SIGBUS)).quarantine(of: "a")[Self.partition]?.deadLetters == [7: "plugin crashed (SIGBUS)"])
        #expect(history(crash(7, 7, signal: 0)).crashes.isEmpty, "in flight on another thread: not a crash of this call")
        let timers = CrashJournalEntry(agent: "a", topic: "orders", partition: 1, firstOffset: -1, lastOffset: -1, records: 0, signal: SIGSEGV)
        #expect(history(timers).crashCount(of: "a") == 1)
        #expect(history(timers).quarantine(of: "a").isEmpty, "a crash in on_timer has no record to isolate")
    }

    @Test("bounded to the newest crashes; settled crashes leave; a round trip through the file keeps it; a broken file starts anew")
    func fileAndBounds() throws {
        var history = CrashHistory()
        history.record((0..<(CrashHistory.capacity + 10)).map { crash(Int64($0) * 10, Int64($0) * 10 + 9) }, at: Date())
        #expect(history.crashes.count == CrashHistory.capacity)
        #expect(history.crashes.first?.call.firstOffset == 100, "the oldest ten were dropped")
        history.removeSettled(agent: "a", partition: Self.partition, committed: 205)
        #expect(history.crashes.first?.call.firstOffset == 200, "crashes wholly below the committed offset are settled")

        let directory = try TemporaryDirectory(prefix: "sluice-history")
        defer { directory.remove() }
        let path = directory.file("crash-history.json")
        #expect(CrashHistory.load(path: path).history == CrashHistory() && CrashHistory.load(path: path).problem == nil)
        var small = CrashHistory()
        small.record([crash(1, 5)], at: Date(timeIntervalSince1970: 1_800_000_000))
        try small.save(path: path)
        #expect(CrashHistory.load(path: path).history == small)
        try Data("{\"version\": 1, \"crashes\": [tor".utf8).write(to: URL(fileURLWithPath: path))
        let broken = CrashHistory.load(path: path)
        #expect(broken.history == CrashHistory())
        #expect(broken.problem?.hasPrefix("\(path) is not a readable crash history") == true)
    }

    /// Runs a partition of `records` records through restarts of a host whose
    /// plugin crashes (deterministically, in offset order) on `poison`, with
    /// the fetch sizes of `batchSizes` in turn, commits at the end of each
    /// fetched batch, and the crash history deciding at each start. Returns
    /// the crashes and the records dead-lettered.
    private func simulate(records: Int64, poison: Set<Int64>, batchSizes: [Int64]) -> (crashes: Int, deadLettered: Set<Int64>) {
        var history = CrashHistory()
        var committed: Int64 = 0, crashes = 0, starts = 0
        var deadLettered: Set<Int64> = []
        while committed < records, starts < 1000 {
            let decision = history.quarantine(of: "a")[Self.partition] ?? PartitionQuarantine()
            let size = batchSizes[starts % batchSizes.count]
            starts += 1
            var offset = committed
            run: while offset < records {
                let last = min(offset + size, records) - 1
                // What the runner hands over: singles through the isolated range, then the rest.
                var parts: [ClosedRange<Int64>] = []
                var next = offset
                while next <= last, decision.isolates(next) { parts.append(next...next); next += 1 }
                if next <= last { parts.append(next...last) }
                for part in parts {
                    if part.count == 1, decision.deadLetters[part.lowerBound] != nil {
                        deadLettered.insert(part.lowerBound)
                        continue
                    }
                    if part.contains(where: poison.contains) {
                        crashes += 1
                        history.record([crash(part.lowerBound, part.upperBound)], at: Date())
                        break run
                    }
                }
                committed = last + 1
                offset = last + 1
            }
            history.removeSettled(agent: "a", partition: Self.partition, committed: committed)
        }
        return (crashes, deadLettered)
    }

    @Test("the bound: each poison record takes the host down at most 3 times (twice in a batch, once alone), then it is dead-lettered",
          arguments: [
              (Set<Int64>([137]), [Int64(50)]),
              (Set<Int64>([0, 1, 2]), [Int64(50), 20, 7]),
              (Set<Int64>([49, 50, 99, 100]), [Int64(50)]),
              (Set<Int64>([10, 300, 301, 999]), [Int64(500), 1, 33]),
              (Set<Int64>([5, 6, 7, 8, 9]), [Int64(1000)]),
          ])
    func restartBound(poison: Set<Int64>, batchSizes: [Int64]) {
        let (crashes, deadLettered) = simulate(records: 1000, poison: poison, batchSizes: batchSizes)
        #expect(deadLettered == poison)
        #expect(crashes <= 3 * poison.count, "\(crashes) crashes for \(poison.count) poison records")
        #expect(crashes >= poison.count, "each poison record crashed the plugin once at least")
    }
}
