import SluiceHost
import Testing

/// The ledger of a stateful agent: done entries wait for their seal, but
/// leave the in-flight count at once (their payloads are released).
@Suite("Offset ledger in seal mode")
struct SealingLedgerTests {
    @Test("done entries leave the in-flight count at once and wait for their seal as awaitingSeal")
    func doneEntriesAwaitTheirSeal() {
        var ledger = OffsetLedger(startingAt: 0, seals: true)
        let first = ledger.track(lastOffset: 9, records: 10)
        let second = ledger.track(lastOffset: 19, records: 10)
        // Done out of order: released from in flight, but nothing to seal yet.
        #expect(ledger.finish(10, of: second) == 10)
        #expect(ledger.awaitingSeal == 10)
        #expect(ledger.takeSealRequest() == nil)
        #expect(ledger.finish(10, of: first) == 10)
        #expect(ledger.awaitingSeal == 20)
        let seal = ledger.takeSealRequest()
        #expect(seal?.throughTicket == second)
        #expect(seal?.lastOffset == 19)
        #expect(ledger.committable == 0, "nothing commits before its seal")
        // Released already: the seal releases nothing more, and commits both.
        #expect(ledger.sealed() == 0)
        #expect(ledger.committable == 20)
        #expect(ledger.awaitingSeal == 0)
        #expect(ledger.isEmpty)
    }

    @Test("a seal that waits is extended over the entries done meanwhile, and the next one starts after it")
    func waitingSealIsExtended() {
        var ledger = OffsetLedger(startingAt: 100, seals: true)
        let first = ledger.track(lastOffset: 109, records: 10)
        let second = ledger.track(lastOffset: 119, records: 10)
        let third = ledger.track(lastOffset: 129, records: 10)
        ledger.finish(10, of: first)
        #expect(ledger.takeSealRequest()?.throughTicket == first)
        // One seal at a time: the second's done entry is not asked for while it waits...
        ledger.finish(10, of: second)
        #expect(ledger.takeSealRequest() == nil)
        // ...but the waiting seal takes it in; the third is still open.
        let extended = ledger.extendSealInFlight()
        #expect(extended?.throughTicket == second)
        #expect(extended?.lastOffset == 119)
        #expect(ledger.sealInFlight == extended)
        ledger.sealed()
        #expect(ledger.committable == 120)
        ledger.finish(10, of: third)
        #expect(ledger.takeSealRequest()?.throughTicket == third)
        ledger.sealed()
        #expect(ledger.committable == 130)
        #expect(ledger.extendSealInFlight() == nil, "no seal in flight, nothing to extend")
    }

    @Test("a reset counts only the records still in flight, not those released to wait for a seal")
    func resetCountsOnlyUnreleased() {
        var ledger = OffsetLedger(startingAt: 0, seals: true)
        let first = ledger.track(lastOffset: 9, records: 10)
        _ = ledger.track(lastOffset: 19, records: 10)
        #expect(ledger.finish(10, of: first) == 10)
        #expect(ledger.reset(to: 0) == 10)
        #expect(ledger.awaitingSeal == 0)
        #expect(ledger.committable == 0)
    }

    @Test("a ledger that does not seal keeps done entries in flight until the commit passes them")
    func plainLedgerUnchanged() {
        var ledger = OffsetLedger(startingAt: 0)
        let first = ledger.track(lastOffset: 9, records: 10)
        let second = ledger.track(lastOffset: 19, records: 10)
        #expect(ledger.finish(10, of: second) == 0)
        #expect(ledger.awaitingSeal == 0)
        #expect(ledger.finish(10, of: first) == 20)
    }
    @Test("isDone(through:) holds once an entry and every one before it are done, sealed ones included")
    func doneThrough() {
        var ledger = OffsetLedger(startingAt: 0, seals: true)
        func done(_ ticket: OffsetLedger.Ticket) -> Bool { ledger.isDone(through: ticket) }
        let first = ledger.track(lastOffset: 9, records: 10)
        let second = ledger.track(lastOffset: 19, records: 10)
        let third = ledger.track(lastOffset: 29, records: 10)
        ledger.finish(10, of: second)
        #expect(!done(second), "the first is still open")
        ledger.finish(10, of: first)
        #expect(done(first))
        #expect(done(second))
        #expect(!done(third))
        // Work added to a done entry (a record sent round again) makes it open again.
        ledger.add(1, to: second)
        #expect(!done(second))
        ledger.finish(1, of: second)
        _ = ledger.takeSealRequest()
        ledger.extendSealInFlight()
        ledger.sealed()
        #expect(done(first), "sealed entries count as done")
        ledger.finish(10, of: third)
        #expect(done(third))
    }
}
