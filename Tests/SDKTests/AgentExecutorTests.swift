import CSluicePlugin
import Foundation
import SluiceSDK
import Testing

@Suite("An Agent instance runs its batches on threads of its own")
struct AgentExecutorTests {
    let host = HostRecorder()
    /// What the threads of a ``LaneAgent`` instance are called.
    static let laneThreadName = "sluice-sdk-\(LaneAgent.name)"

    static func laneBatch(id: UInt64, partitionState: UnsafeMutableRawPointer?) -> TestBatch {
        TestBatch(id: id, values: ["{}", "{}", "{}"], partitionState: partitionState)
    }

    @Test("handle runs on the instance's named thread, before and after it awaits, and so do its child tasks and flush")
    func batchesRunOnInstanceThreads() async throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(LaneAgent.self, 1, 0))
        let instance = try plugin.create(host: host)
        let state = try instance.open(topic: "lanes")
        let batch = Self.laneBatch(id: 201, partitionState: state)
        // PENDING, or DONE when the instance's threads finished it before on_batch returned.
        let status = instance.onBatch(batch)
        #expect(status == SLUICE_BATCH_PENDING || status == SLUICE_BATCH_DONE)
        var finished = status != SLUICE_BATCH_PENDING
        if !finished { finished = await host.waitForCompletion(of: batch.id) }
        guard finished else {
            batch.keepAliveForever() // a task may still read it; freeing it would crash the whole run
            host.keepAliveForever()
            Issue.record("complete() was never called")
            return
        }
        #expect(await onHostThread { instance.flush() } == SLUICE_STATUS_OK)
        instance.close(topic: "lanes", state: state)
        await onHostThread { instance.destroy() }

        #expect(host.finalStatus(of: batch.id, onBatchReturned: status) == SLUICE_BATCH_DONE)
        let expected = Array(repeating: [Self.laneThreadName, Self.laneThreadName, Self.laneThreadName], count: 3)
        #expect(host.producedRecords.map { $0.valueString?.split(separator: "|").map(String.init) } == expected)
        #expect(host.logLines.contains("flushed on \(Self.laneThreadName)"), "\(host.logLines)")
    }

    @Test("a batch is handled and flushed while every thread of the cooperative pool is blocked")
    func progressWhileCooperativePoolIsBlocked() async throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(LaneAgent.self, 1, 0))
        let instance = try plugin.create(host: host)
        let state = try instance.open(topic: "lanes")
        let batch = Self.laneBatch(id: 202, partitionState: state)
        // The plain thread only hands the batch to on_batch; the test keeps it alive.
        nonisolated(unsafe) let batchForThread = batch
        let host = host

        // All of this runs on a plain thread: the test's own task could not
        // run while the pool is blocked.
        let observed = await onHostThread { () -> BlockedPoolRun in
            let blocker = CooperativePoolBlocker()
            defer { blocker.release() }
            guard blocker.blockEveryThread() else { return BlockedPoolRun(poolBlocked: false) }
            guard blocker.poolIsBlocked() else { return BlockedPoolRun(poolBlocked: false) }
            var run = BlockedPoolRun(poolBlocked: true)
            run.status = instance.onBatch(batchForThread)
            run.completed = run.status != SLUICE_BATCH_PENDING || host.waitForCompletionBlocking(of: 202, timeout: 10)
            if run.completed { run.flushStatus = instance.flush() }
            run.poolStayedBlocked = blocker.probeStillWaiting()
            return run
        }

        #expect(observed.poolBlocked, "every one of the \(ProcessInfo.processInfo.activeProcessorCount) pool threads must be blocked")
        #expect(observed.poolStayedBlocked, "the pool must stay blocked while the batch is handled")
        #expect(observed.status == SLUICE_BATCH_PENDING || observed.status == SLUICE_BATCH_DONE)
        #expect(observed.completed, "the batch must finish while the pool is blocked")
        #expect(observed.flushStatus == SLUICE_STATUS_OK)

        // With the pool free again, a batch that was starved finishes, so
        // cleaning up never frees memory a task still reads.
        var completedAtLast = observed.status != SLUICE_BATCH_PENDING
        if !completedAtLast { completedAtLast = await host.waitForCompletion(of: batch.id) }
        if !completedAtLast {
            batch.keepAliveForever()
            host.keepAliveForever()
            Issue.record("complete() was never called, even with the pool free")
            return
        }
        instance.close(topic: "lanes", state: state)
        await onHostThread { instance.destroy() }
        #expect(host.finalStatus(of: batch.id, onBatchReturned: observed.status) == SLUICE_BATCH_DONE)
        #expect(host.producedRecords.count == 3)
        #expect(host.producedRecords.allSatisfy { $0.valueString == "\(Self.laneThreadName)|\(Self.laneThreadName)|\(Self.laneThreadName)" })
    }

    @Test("create starts the instance's threads and destroy stops them, every time",
          .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task"), "counts threads through /proc"))
    func threadsStopWithTheInstance() async throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(TurnAgent.self, 1, 0))
        let threadName = "sluice-sdk-\(TurnAgent.name)"
        #expect(Self.threadCount(named: threadName) == 0)
        for round in 1...5 {
            let instance = try plugin.create(host: host)
            #expect(Self.threadCount(named: threadName) > 0, "round \(round): create starts threads")
            let state = try instance.open(topic: "turns")
            let batch = TestBatch(id: 210 + UInt64(round), values: ["{}"], partitionState: state)
            let status = instance.onBatch(batch)
            #expect(await onHostThread { instance.flush() } == SLUICE_STATUS_OK)
            #expect(host.finalStatus(of: batch.id, onBatchReturned: status) == SLUICE_BATCH_DONE)
            instance.close(topic: "turns", state: state)
            await onHostThread { instance.destroy() }
            // destroy joins the threads, so none is left once it returned.
            #expect(Self.threadCount(named: threadName) == 0, "round \(round): destroy stops every thread")
        }
    }

    /// How many threads of this process carry `name` (Linux: `/proc/self/task/*/comm`).
    static func threadCount(named name: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.count { task in
            let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
            return comm?.trimmingCharacters(in: .newlines) == name
        }
    }
}

/// What ``AgentExecutorTests/progressWhileCooperativePoolIsBlocked()`` saw
/// while the pool was blocked.
struct BlockedPoolRun: Sendable {
    var poolBlocked: Bool
    var poolStayedBlocked = false
    var status: sluice_batch_status?
    var completed = false
    var flushStatus: Int32?
}
