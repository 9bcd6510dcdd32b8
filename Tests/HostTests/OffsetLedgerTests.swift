import SluiceHost
import Testing

@Suite("Offset ledger")
struct OffsetLedgerTests {
    @Test("commits only the contiguous finished prefix when batches finish out of order")
    func outOfOrderCompletion() {
        var ledger = OffsetLedger(startingAt: 0)
        let first = ledger.track(lastOffset: 9, records: 10)
        let second = ledger.track(lastOffset: 19, records: 10)
        let third = ledger.track(lastOffset: 29, records: 10)
        #expect(ledger.finish(10, of: third) == 0)
        #expect(ledger.committable == 0)
        #expect(ledger.finish(10, of: second) == 0)
        #expect(ledger.committable == 0)
        #expect(ledger.finish(10, of: first) == 30)
        #expect(ledger.committable == 30)
        #expect(ledger.isEmpty)
    }

    @Test("offset gaps between batches (compaction, markers) commit past the gap")
    func gaps() {
        var ledger = OffsetLedger(startingAt: 100)
        let first = ledger.track(lastOffset: 104, records: 3)   // 100, 102, 104
        let second = ledger.track(lastOffset: 120, records: 2)  // 110, 120
        ledger.finish(3, of: first)
        #expect(ledger.committable == 105)
        ledger.finish(2, of: second)
        #expect(ledger.committable == 121)
    }

    @Test("a message sent round for a retry holds the commit until it finishes")
    func retries() {
        var ledger = OffsetLedger(startingAt: 0)
        let batch = ledger.track(lastOffset: 4, records: 5)
        let later = ledger.track(lastOffset: 9, records: 5)
        ledger.finish(4, of: batch)      // one message asked for RETRY
        ledger.finish(5, of: later)
        #expect(ledger.committable == 0)
        ledger.finish(1, of: batch)      // the retry succeeded
        #expect(ledger.committable == 10)
    }

    @Test("records produced while handling a batch gate it until acknowledged")
    func producedRecordsGate() {
        var ledger = OffsetLedger(startingAt: 0)
        let batch = ledger.track(lastOffset: 1, records: 2)
        ledger.add(2, to: batch)         // two produced records in flight
        ledger.finish(2, of: batch)      // both messages OK
        #expect(ledger.committable == 0)
        ledger.finish(1, of: batch)      // first acknowledgement
        #expect(ledger.committable == 0)
        ledger.finish(1, of: batch)      // second acknowledgement
        #expect(ledger.committable == 2)
    }

    @Test("a restarted partition resumes at its committed offset; reset forgets open work")
    func restartAndReset() {
        var ledger = OffsetLedger(startingAt: 500)
        #expect(ledger.committable == 500)
        let batch = ledger.track(lastOffset: 599, records: 100)
        ledger.finish(40, of: batch)
        #expect(ledger.reset(to: 500) == 100)
        #expect(ledger.isEmpty)
        // Late completions of forgotten work change nothing.
        #expect(ledger.finish(60, of: batch) == 0)
        #expect(ledger.committable == 500)
        let again = ledger.track(lastOffset: 599, records: 100)
        ledger.finish(100, of: again)
        #expect(ledger.committable == 600)
    }

    @Test("many entries stay correct across internal compaction")
    func compaction() {
        var ledger = OffsetLedger(startingAt: 0)
        var tickets: [OffsetLedger.Ticket] = []
        for batch in 0..<1000 { tickets.append(ledger.track(lastOffset: Int64(batch * 10 + 9), records: 10)) }
        for ticket in tickets.reversed().dropLast() { ledger.finish(10, of: ticket) }
        #expect(ledger.committable == 0)
        ledger.finish(10, of: tickets[0])
        #expect(ledger.committable == 10_000)
        let next = ledger.track(lastOffset: 10_009, records: 10)
        ledger.finish(10, of: next)
        #expect(ledger.committable == 10_010)
    }
}
