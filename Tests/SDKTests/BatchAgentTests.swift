import CSluicePlugin
import SluiceSDK
import Testing

@Suite("A zero-copy BatchAgent through the C surface")
struct BatchAgentTests {
    let plugin: LoadedPlugin
    let host = HostRecorder()

    init() throws {
        plugin = try LoadedPlugin(entryResult: SluicePlugin.export(ShoutAgent.self, 1, 0))
    }

    @Test("results are final when on_batch returns DONE; produce carries the batch id")
    func synchronousBatch() throws {
        let instance = try plugin.create(host: host)
        defer { instance.destroy() }
        let state = try instance.open(topic: "words", partition: 3)
        defer { instance.close(topic: "words", partition: 3, state: state) }
        let batch = TestBatch(id: 21, values: ["hello", nil, "bad", "Mixed Case 1"], partitionState: state)
        #expect(instance.onBatch(batch) == SLUICE_BATCH_DONE)
        #expect(batch.results == [SLUICE_RESULT_OK, SLUICE_RESULT_SKIP, SLUICE_RESULT_DLQ, SLUICE_RESULT_OK])
        #expect(host.reasons(for: 21) == [2: "bad word"])
        let produced = host.producedRecords
        #expect(produced.map(\.valueString) == ["HELLO", "MIXED CASE 1"])
        #expect(produced.map(\.keyString) == ["k0", "k3"])
        #expect(produced.allSatisfy { $0.batchID == 21 && $0.topic == "shouted" })
        #expect(host.completions(of: 21).isEmpty, "a DONE batch is never completed")
    }

    @Test("the partition state from open is handed to every batch of that partition")
    func partitionState() throws {
        let instance = try plugin.create(host: host)
        defer { instance.destroy() }
        let state = try #require(try instance.open(topic: "words", partition: 1))
        for id in 30..<33 {
            #expect(instance.onBatch(TestBatch(id: UInt64(id), values: ["a", "b"], partitionState: state)) == SLUICE_BATCH_DONE)
        }
        instance.close(topic: "words", partition: 1, state: state)
        #expect(host.producedRecords.count == 6)
        // closePartition got back the same state object every batch counted into.
        #expect(host.logLines.contains("words[1] saw 6"), "\(host.logLines)")
    }

    @Test("a thrown error applies to the whole batch")
    func thrownError() throws {
        let instance = try plugin.create(host: host)
        defer { instance.destroy() }
        let batch = TestBatch(id: 40, values: ["explode", "x"])
        #expect(instance.onBatch(batch) == SLUICE_BATCH_DONE)
        #expect(batch.results == [SLUICE_RESULT_RETRY, SLUICE_RESULT_RETRY])
        #expect(host.reasons(for: 40) == [0: "exploded", 1: "exploded"])
    }

    @Test("finishLater answers PENDING and complete() comes later, exactly once, from another thread")
    func finishLater() async throws {
        let instance = try plugin.create(host: host)
        defer { instance.destroy() }
        let batch = TestBatch(id: 50, topic: "later", [.init(key: "k", value: "one"), .init(key: "k", value: "two")])
        #expect(instance.onBatch(batch) == SLUICE_BATCH_PENDING)
        guard await host.waitForCompletion(of: 50) else {
            batch.keepAliveForever()
            Issue.record("complete() was never called")
            return
        }
        #expect(await onHostThread { instance.flush() } == SLUICE_STATUS_OK)
        #expect(host.completions(of: 50) == [SLUICE_BATCH_DONE])
        #expect(batch.results == [SLUICE_RESULT_RETRY, SLUICE_RESULT_OK])
        #expect(host.reasons(for: 50) == [0: "decided later"])
    }

    @Test("a refused produce surfaces as an error the agent can map")
    func refusedProduce() throws {
        host.refuseProduce = true
        let instance = try plugin.create(host: host)
        defer { instance.destroy() }
        let batch = TestBatch(id: 60, values: ["a"])
        #expect(instance.onBatch(batch) == SLUICE_BATCH_DONE)
        // ShoutAgent lets ProduceError escape: a non-AgentError means retry for the batch.
        #expect(batch.results == [SLUICE_RESULT_RETRY])
        #expect(host.reasons(for: 60)[0]?.contains("cannot produce to 'shouted'") == true)
    }
}
