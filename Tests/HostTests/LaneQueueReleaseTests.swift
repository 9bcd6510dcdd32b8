@testable import SluiceHost
import Testing

/// A lane's queue of fetched batches must let go of a batch as soon as it is
/// dispatched: a batch pins the memory its records point into (on Kafka,
/// librdkafka's messages and fetch buffers), and a busy lane's queue may
/// never run empty.
@Suite("Lane queue release")
struct LaneQueueReleaseTests {
    /// A fetched batch whose release the test can observe.
    final class ObservedBatch: FetchedRecords {
        let source = TopicPartition("t", 0)
        let count = 1
        let lastOffset: Int64
        init(offset: Int64) { lastOffset = offset }
    }

    @Test("a dispatched batch is released while later batches stay queued, in order")
    func dispatchedBatchIsReleased() throws {
        var lane = LaneState<ObservedBatch, FakeDelivery, Void>(
            id: LaneID(partition: TopicPartition("t", 0), generation: 1), resources: (), startOffset: 0)
        weak var released: ObservedBatch?
        var order: [Int64] = []
        // A lane that always has a batch waiting behind the one being dispatched.
        for offset in 0..<100 as Range<Int64> {
            lane.enqueue(ObservedBatch(offset: offset))
            if offset == 0 { continue }
            do {
                let dequeued = lane.dequeue()
                let next = try #require(dequeued)
                order.append(next.lastOffset)
                if offset == 50 { released = next }
            }
            if offset > 50 { #expect(released == nil, "the batch dispatched at step 50 is still held at step \(offset)") }
        }
        #expect(lane.queuedRecords == 1)
        #expect(order == Array(0..<99))
        let last = lane.dequeue()
        #expect(last?.lastOffset == 99)
        let none = lane.dequeue()
        #expect(none == nil)
        #expect(lane.queuedRecords == 0)
    }
}
