import CSluicePlugin
import SluiceSDK
import Testing

@Suite("A typed async Agent through the C surface")
struct TypedAgentTests {
    let plugin: LoadedPlugin
    let host = HostRecorder()

    init() throws {
        plugin = try LoadedPlugin(entryResult: SluicePlugin.export(OrderAgent.self, 1, 0))
    }

    static func order(_ id: String, quantity: Int) -> String {
        #"{"id": "\#(id)", "user": "u-\#(id)", "quantity": \#(quantity)}"#
    }

    /// Creates, opens partition 0, runs `batch`, waits for complete(), and cleans up.
    func run(_ batch: TestBatch) async throws -> sluice_batch_status {
        let instance = try plugin.create(#"{"output": "orders.out"}"#, host: host)
        let state = try instance.open()
        let status = instance.onBatch(batch)
        #expect(status == SLUICE_BATCH_PENDING)
        guard await host.waitForCompletion(of: batch.id) else {
            batch.keepAliveForever() // a task may still read it; freeing it would crash the whole run
            host.keepAliveForever()
            Issue.record("complete() was never called")
            throw PluginFailure(reason: "timeout")
        }
        #expect(await onHostThread { instance.flush() } == SLUICE_STATUS_OK)
        instance.close(state: state)
        await onHostThread { instance.destroy() }
        let completions = host.completions(of: batch.id)
        #expect(completions.count == 1, "complete() must be called exactly once")
        return try #require(completions.first)
    }

    @Test("records are decoded, handled in order, produced with the batch id, then completed once")
    func happyPath() async throws {
        let batch = TestBatch(id: 7, [
            .init(key: "a", value: Self.order("a", quantity: 1), headers: [("trace", "t-1")]),
            .init(key: "b", value: Self.order("b", quantity: 2)),
            .init(key: "c", value: Self.order("c", quantity: 3)),
        ])
        #expect(try await run(batch) == SLUICE_BATCH_DONE)
        #expect(batch.results == [SLUICE_RESULT_OK, SLUICE_RESULT_OK, SLUICE_RESULT_OK])
        let produced = host.producedRecords
        #expect(produced.map(\.valueString) == ["u-a:1", "u-b:2", "u-c:3"])
        #expect(produced.map(\.keyString) == ["a", "b", "c"])
        #expect(produced.allSatisfy { $0.batchID == 7 && $0.topic == "orders.out" && $0.partition == SLUICE_PARTITION_ANY })
        #expect(produced.map { $0.headers["source-offset"].map { String(decoding: $0, as: UTF8.self) } } == ["100", "101", "102"])
        #expect(host.counter("handled") == 3)
        #expect(host.errorReasons.isEmpty)
    }

    @Test("each record keeps its own key: null, empty and multi-byte keys side by side in one batch")
    func keysOfOneBatch() async throws {
        // The batch's keys share one buffer: a null or empty key between others must not shift theirs.
        let keys: [String?] = [nil, "a", nil, "", "bcd", "", nil, "ünï", "e", nil]
        let batch = TestBatch(id: 9, keys.enumerated().map { index, key in
            .init(key: key, value: Self.order("\(index)", quantity: index + 1))
        })
        #expect(try await run(batch) == SLUICE_BATCH_DONE)
        let produced = host.producedRecords
        #expect(produced.map(\.valueString) == keys.indices.map { "u-\($0):\($0 + 1)" })
        #expect(produced.map(\.keyString) == keys)
    }

    @Test("a value that does not decode is dead-lettered with a reason naming the field")
    func decodeFailure() async throws {
        let batch = TestBatch(id: 8, values: [
            #"{"id": "a", "quantity": 1}"#,
            #"{"id": "b", "user": "u", "quantity": "lots"}"#,
            "not json",
            Self.order("d", quantity: 4),
        ])
        #expect(try await run(batch) == SLUICE_BATCH_DONE)
        #expect(batch.results == [SLUICE_RESULT_DLQ, SLUICE_RESULT_DLQ, SLUICE_RESULT_DLQ, SLUICE_RESULT_OK])
        let reasons = host.reasons(for: 8)
        #expect(reasons[0]?.contains("missing key 'user'") == true, "\(reasons)")
        #expect(reasons[1]?.contains("key 'quantity'") == true, "\(reasons)")
        #expect(reasons[2]?.contains("malformed JSON") == true, "\(reasons)")
        #expect(reasons[3] == nil)
        #expect(host.producedRecords.map(\.valueString) == ["u-d:4"])
    }

    @Test("thrown errors and returned outcomes map to RETRY, DLQ and SKIP with reasons")
    func errorMapping() async throws {
        let batch = TestBatch(id: 9, values: [
            Self.order("a", quantity: 42),  // AgentError.retry
            Self.order("b", quantity: 0),   // AgentError.deadLetter
            Self.order("c", quantity: 13),  // AgentError.skip
            Self.order("d", quantity: 99),  // another error → retry with its description
            Self.order("e", quantity: -1),  // returned .deadLetter
            nil,                            // tombstone → skip by default
            Self.order("g", quantity: 5),
        ])
        #expect(try await run(batch) == SLUICE_BATCH_DONE)
        #expect(batch.results == [SLUICE_RESULT_RETRY, SLUICE_RESULT_DLQ, SLUICE_RESULT_SKIP, SLUICE_RESULT_RETRY,
                                  SLUICE_RESULT_DLQ, SLUICE_RESULT_SKIP, SLUICE_RESULT_OK])
        let reasons = host.reasons(for: 9)
        #expect(reasons[0] == "try again later")
        #expect(reasons[1] == "zero quantity")
        #expect(reasons[2] == nil)
        #expect(reasons[3] == "inventory service unreachable")
        #expect(reasons[4] == "negative")
    }

    @Test("AgentError.fatal finishes the batch as FATAL with a batch-level reason")
    func fatal() async throws {
        let batch = TestBatch(id: 10, values: [Self.order("a", quantity: 1), Self.order("b", quantity: 666)])
        #expect(try await run(batch) == SLUICE_BATCH_FATAL)
        #expect(host.reasons(for: 10)[nil] == "cannot go on")
    }

    @Test("batches of one partition are handled in order, each completed once")
    func partitionOrder() async throws {
        let instance = try plugin.create(#"{"output": "orders.out"}"#, host: host)
        let state = try instance.open()
        let batches = (0..<5).map { batchIndex in
            TestBatch(id: 100 + UInt64(batchIndex), (0..<4).map { messageIndex in
                .init(key: "k", value: Self.order("\(batchIndex)-\(messageIndex)", quantity: 1000 + batchIndex * 100 + messageIndex))
            }, partitionState: state)
        }
        for batch in batches { #expect(instance.onBatch(batch) == SLUICE_BATCH_PENDING) }
        // flush returns only once every pending batch is completed.
        #expect(await onHostThread { instance.flush() } == SLUICE_STATUS_OK)
        for batch in batches { #expect(host.completions(of: batch.id) == [SLUICE_BATCH_DONE]) }
        let quantities = host.producedRecords.compactMap { $0.valueString?.split(separator: ":").last.flatMap { Int($0) } }
        #expect(quantities == quantities.sorted())
        #expect(quantities.count == 20)
        instance.close(state: state)
        await onHostThread { instance.destroy() }
    }
}
