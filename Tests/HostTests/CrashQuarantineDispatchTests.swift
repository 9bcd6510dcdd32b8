import CSluicePlugin
@testable import SluiceHost
import Testing

/// How the crash quarantine's decisions reach the records: fetched batches
/// split into records of their own through the isolated range, and a record
/// that crashed the plugin alone dead-lettered by the state machine without
/// being dispatched, committed only once its dead letter is acknowledged.
@Suite("Crash quarantine: dispatch")
struct CrashQuarantineDispatchTests {
    private func fetched(_ offsets: ClosedRange<Int64>) -> FetchedBatch {
        let messages = UnsafeMutableBufferPointer<sluice_message>.allocate(capacity: offsets.count)
        for (index, offset) in offsets.enumerated() {
            var message = sluice_message()
            message.offset = offset
            (messages.baseAddress! + index).initialize(to: message)
        }
        return FetchedBatch(source: TopicPartition("orders", 0), messages: messages, payloadOwner: nil)
    }

    @Test("records through the isolated range become batches of one; the rest stays one batch; other partitions are untouched")
    func splitting() {
        let decision = PartitionQuarantine(recordByRecordThrough: 12)
        let parts = fetched(10...19).isolating(decision)
        #expect(parts.map { $0.count } == [1, 1, 1, 7])
        #expect(parts.map(\.firstOffset) == [10, 11, 12, 13])
        #expect(parts.last?.lastOffset == 19)
        #expect(fetched(13...19).isolating(decision).map(\.count) == [7])
        #expect(fetched(0...3).isolating(decision).map(\.count) == [1, 1, 1, 1])
        #expect([fetched(0...3)].isolating([TopicPartition("orders", 5): decision]).map(\.count) == [4])
    }

    @Test("a record that crashed the plugin alone is dead-lettered, never dispatched; the next one is; the commit waits for the dead letter")
    func deadLetteredWithoutDispatch() {
        var driver = MachineDriver()
        driver.machine.crashDeadLetters = [MachineDriver.partition(0): [5: "plugin crashed (SIGSEGV)"]]
        let lane = driver.assign(0, at: 4)
        let four = driver.fetch(0, from: 4, count: 1)
        #expect(four.map(\.offsets) == [[4]])
        driver.done(four[0])
        #expect(driver.fetch(0, from: 5, count: 1).isEmpty, "the crashing record is not handed to the plugin")
        let letters = driver.deadLetters
        #expect(letters.map(\.reason) == ["plugin crashed (SIGSEGV)"])
        #expect(letters.map { $0.delivery.offset(at: $0.index) } == [5])
        #expect(driver.machine.offsetsToCommit()[MachineDriver.partition(0)] == 5, "not past the dead letter before it is stored")
        let six = driver.fetch(0, from: 6, count: 1)
        #expect(six.map(\.offsets) == [[6]])
        driver.done(six[0])
        driver.machine.deadLetterAcknowledged(lane: lane, ticket: letters[0].ticket)
        #expect(driver.machine.offsetsToCommit()[MachineDriver.partition(0)] == 7)
        #expect(driver.machine.deadLettered == 1)
    }

    @Test("a record that crashed alone, fetched within a larger batch, is not dead-lettered by the machine (the runner splits first)")
    func onlyAlone() {
        var driver = MachineDriver()
        driver.machine.crashDeadLetters = [MachineDriver.partition(0): [5: "plugin crashed (SIGSEGV)"]]
        driver.assign(0, at: 0)
        #expect(driver.fetch(0, from: 0, count: 10).map(\.count) == [10])
        #expect(driver.deadLetters.isEmpty)
    }
}
