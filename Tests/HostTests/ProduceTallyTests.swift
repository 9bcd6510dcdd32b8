@testable import SluiceHost
import Synchronization
import Testing

/// The lock-free count of a delivery's produced records: what it owes when
/// the delivery settles, and the one report of its last acknowledgement.
@Suite("Produce tally")
struct ProduceTallyTests {
    /// Collects the reports a tally makes.
    final class Reports: Sendable {
        let received = Mutex<[String?]>([])
        func callback() -> @Sendable (String?) -> Void { { failure in self.received.withLock { $0.append(failure) } } }
        var all: [String?] { received.withLock { $0 } }
    }

    @Test("records acknowledged before the delivery settles owe nothing; a produce after the close is refused")
    func acknowledgedBeforeClose() {
        let tally = ProduceTally()
        let reports = Reports()
        tally.whenFinished(reports.callback())
        #expect(tally.produced() && tally.produced())
        tally.acknowledged()
        tally.acknowledged()
        #expect(tally.close() == .init(unacknowledged: 0, failure: nil))
        #expect(!tally.produced(), "the delivery settled: refused")
        #expect(reports.all.isEmpty, "nothing was owed, so nothing is reported")
    }

    @Test("records counted together (produce_batch) are owed and acknowledged by their count")
    func counted() {
        let tally = ProduceTally()
        let reports = Reports()
        tally.whenFinished(reports.callback())
        #expect(tally.produced(count: 300) && tally.produced())
        tally.acknowledged(count: 100)
        #expect(tally.close() == .init(unacknowledged: 201, failure: nil))
        #expect(!tally.produced(count: 5), "the delivery settled: refused")
        tally.acknowledged(count: 200)
        #expect(reports.all.isEmpty, "one record is still owed")
        tally.failed("broker gone", count: 1)
        #expect(reports.all == ["broker gone"])
        #expect(tally.unacknowledged == 0)
    }

    @Test("a report set after the close is not kept (a thread that found the batch just as it settled)")
    func reportAfterClose() {
        let tally = ProduceTally()
        _ = tally.close()
        final class Witness: Sendable {}
        weak var witness: Witness?
        do {
            let kept = Witness()
            witness = kept
            tally.whenFinished { _ in _ = kept }
        }
        #expect(witness == nil, "the closed tally holds nothing the report captured")
        #expect(!tally.produced())
    }

    @Test("records still unacknowledged at the close are owed; only the last acknowledgement reports, once")
    func owedAfterClose() {
        let tally = ProduceTally()
        let reports = Reports()
        tally.whenFinished(reports.callback())
        #expect(tally.produced() && tally.produced() && tally.produced())
        tally.acknowledged()
        #expect(tally.close() == .init(unacknowledged: 2, failure: nil))
        tally.acknowledged()
        #expect(reports.all.isEmpty)
        tally.acknowledged()
        #expect(reports.all == [nil])
        #expect(tally.unacknowledged == 0)
    }

    @Test("a failure before the close is the delivery's; one after it is reported by the last acknowledgement")
    func failures() {
        let early = ProduceTally()
        #expect(early.produced() && early.produced())
        early.failed("produce to out failed: broker down")
        early.acknowledged()
        #expect(early.close() == .init(unacknowledged: 0, failure: "produce to out failed: broker down"))

        let late = ProduceTally()
        let reports = Reports()
        late.whenFinished(reports.callback())
        #expect(late.produced() && late.produced())
        #expect(late.close() == .init(unacknowledged: 2, failure: nil))
        late.failed("produce to out failed: record too large")
        late.failed("produce to out failed: again")
        #expect(reports.all == ["produce to out failed: record too large"], "the first failure, reported once")
    }

    @Test("only the first report set counts")
    func firstReportCounts() {
        let tally = ProduceTally()
        let first = Reports(), second = Reports()
        tally.whenFinished(first.callback())
        tally.whenFinished(second.callback())
        #expect(tally.produced())
        _ = tally.close()
        tally.acknowledged()
        #expect(first.all == [nil] && second.all.isEmpty)
    }

    @Test("threads producing and acknowledging while the delivery settles: every record not acknowledged is owed, one report")
    func concurrentClose() async {
        for round in 0..<20 {
            let tally = ProduceTally()
            let reports = Reports()
            tally.whenFinished(reports.callback())
            let accepted = Atomic<Int>(0)
            let closing = Mutex<ProduceTally.Closing?>(nil)
            let held = Mutex<Int>(0)
            await DedicatedThread.run("test-tally-\(round)") {
                DedicatedThread.runAllBlocking("test-tally-thread", count: 4) { thread in
                    if thread == 0 {
                        // The settling thread closes after a different number of records each round.
                        while accepted.load(ordering: .relaxed) < round * 200 {}
                        closing.withLock { $0 = tally.close() }
                        return
                    }
                    var kept = 0
                    for index in 0..<2_000 {
                        guard tally.produced() else { break }
                        accepted.add(1, ordering: .relaxed)
                        // Every other record is acknowledged at once, the rest after the close.
                        if index % 2 == 0 { tally.acknowledged() } else { kept += 1 }
                    }
                    held.withLock { $0 += kept }
                }
            }
            let owed = closing.withLock { $0 }?.unacknowledged ?? -1
            let kept = held.withLock { $0 }
            #expect(owed >= kept && owed <= accepted.load(ordering: .relaxed), "round \(round)")
            #expect(!tally.produced(), "closed: refused")
            #expect(tally.unacknowledged == kept, "every record not acknowledged yet is counted")
            #expect(reports.all.isEmpty || kept == 0)
            for _ in 0..<kept { tally.acknowledged() }
            #expect(tally.unacknowledged == 0)
            #expect(reports.all.count == (owed > 0 ? 1 : 0), "one report when the close owed records (round \(round), owed \(owed))")
        }
    }
}
