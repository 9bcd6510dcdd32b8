import CSluicePlugin
import SluiceSDK
import Testing

/// Produces what each record asks for, so one batch can exercise keys,
/// tombstones, headers, partitions, JSON values and changes of topic.
struct FanOutAgent: Agent {
    struct Input: Decodable, Sendable {
        let topic: String
        let copies: Int?
        let tombstone: Bool?
        let json: Bool?
        let partition: Int32?
        /// Also produce "late" from a task left running after the batch.
        let late: Bool?
    }
    struct Copy: Encodable {
        let offset: Int64
        let copy: Int
    }

    static let name = "fan-out-test"
    static let topics = ["requests"]
    static let capabilities: Capabilities = [.produces]

    init(configuration: EmptyConfiguration, host: HostServices) {}

    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome {
        let request = record.value
        if request.late == true {
            Task.detached {
                try? await Task.sleep(for: .milliseconds(20))
                try? context.produce(topic: request.topic, key: nil, value: "late")
            }
        }
        for copy in 0..<(request.copies ?? 1) {
            let headers = [RecordHeader(name: "copy", value: String(copy))]
            if request.json == true {
                try context.produce(topic: request.topic, key: record.key, json: Copy(offset: record.offset, copy: copy),
                                    headers: headers, partition: request.partition)
            } else {
                try context.produce(topic: request.topic, key: record.key,
                                    value: request.tombstone == true ? nil : "\(record.offset)-\(copy)",
                                    headers: headers, partition: request.partition)
            }
        }
        return .ok
    }
}

@Suite("A batch's produced records reach the host together")
struct GatheredProduceTests {
    let plugin: LoadedPlugin

    init() throws {
        plugin = try LoadedPlugin(entryResult: SluicePlugin.export(FanOutAgent.self, 1, 0))
    }

    static func request(_ topic: String, copies: Int = 1, extra: String = "") -> String {
        #"{"topic": "\#(topic)", "copies": \#(copies)\#(extra)}"#
    }

    /// Runs `batch` through a new instance on `host` and returns how it finished.
    func run(_ batch: TestBatch, on host: HostRecorder) async throws -> sluice_batch_status {
        let instance = try plugin.create(host: host)
        let state = try instance.open()
        // DONE when the batch's task finished before on_batch returned.
        let returned = instance.onBatch(batch)
        let finished = returned == SLUICE_BATCH_DONE ? true : await host.waitForCompletion(of: batch.id)
        guard finished else {
            batch.keepAliveForever()
            host.keepAliveForever()
            Issue.record("complete() was never called")
            throw PluginFailure(reason: "timeout")
        }
        instance.close(state: state)
        await onHostThread { instance.destroy() }
        return try #require(host.finalStatus(of: batch.id, onBatchReturned: returned))
    }

    @Test("one produce_batch call carries the batch's records in order: keys, null keys, tombstones, headers, partitions")
    func oneCall() async throws {
        let host = HostRecorder()
        let batch = TestBatch(id: 11, [
            .init(key: "a", value: Self.request("out", copies: 2)),
            .init(key: nil, value: Self.request("out", extra: #", "tombstone": true"#)),
            .init(key: "", value: Self.request("out", extra: #", "partition": 3"#)),
        ])
        #expect(try await run(batch, on: host) == SLUICE_BATCH_DONE)
        #expect(batch.results == [SLUICE_RESULT_OK, SLUICE_RESULT_OK, SLUICE_RESULT_OK])
        #expect(host.produceBatchCalls == [4])
        let produced = host.producedRecords
        #expect(produced.map(\.batchID) == [11, 11, 11, 11])
        #expect(produced.map(\.topic) == ["out", "out", "out", "out"])
        #expect(produced.map(\.key) == [Array("a".utf8), Array("a".utf8), nil, []])
        #expect(produced.map(\.valueString) == ["100-0", "100-1", nil, "102-0"])
        #expect(produced.map(\.partition) == [SLUICE_PARTITION_ANY, SLUICE_PARTITION_ANY, SLUICE_PARTITION_ANY, 3])
        #expect(produced.map { $0.headers["copy"].map { String(decoding: $0, as: UTF8.self) } } == ["0", "1", "0", "0"])
    }

    @Test("a change of topic hands over what waits first, so records keep their order across topics")
    func topicChanges() async throws {
        let host = HostRecorder()
        let batch = TestBatch(id: 12, [
            .init(key: "a", value: Self.request("first", copies: 2)),
            .init(key: "b", value: Self.request("second")),
            .init(key: "c", value: Self.request("first")),
        ])
        #expect(try await run(batch, on: host) == SLUICE_BATCH_DONE)
        #expect(host.produceBatchCalls == [2, 1, 1])
        #expect(host.producedRecords.map(\.topic) == ["first", "first", "second", "first"])
        #expect(host.producedRecords.map(\.valueString) == ["100-0", "100-1", "101-0", "102-0"])
    }

    @Test("a batch that produces more than 512 records hands them over 512 at a time, none lost or reordered")
    func largeBatch() async throws {
        let host = HostRecorder()
        let batch = TestBatch(id: 13, [
            .init(key: "a", value: Self.request("out", copies: 1000)),
            .init(key: "b", value: Self.request("out", copies: 200)),
        ])
        #expect(try await run(batch, on: host) == SLUICE_BATCH_DONE)
        #expect(host.produceBatchCalls == [512, 512, 176])
        let expected = (0..<1000).map { "100-\($0)" } + (0..<200).map { "101-\($0)" }
        let values = host.producedRecords.compactMap(\.valueString)
        let allInOrder = values == expected // compared first: a failure prints no 1,200 values
        #expect(values.count == 1200)
        #expect(allInOrder)
    }

    @Test("JSON values are encoded into the gathered records")
    func jsonValues() async throws {
        let host = HostRecorder()
        let batch = TestBatch(id: 14, [.init(key: "a", value: Self.request("out", copies: 2, extra: #", "json": true"#))])
        #expect(try await run(batch, on: host) == SLUICE_BATCH_DONE)
        #expect(host.produceBatchCalls == [2])
        #expect(host.producedRecords.map(\.valueString) == [#"{"offset":100,"copy":0}"#, #"{"offset":100,"copy":1}"#])
    }

    @Test("a record produced after its batch's end goes to the host at once (which refuses it for a finished batch), never held back")
    func afterTheEnd() async throws {
        let host = HostRecorder()
        let batch = TestBatch(id: 18, [.init(key: "a", value: Self.request("out", extra: #", "late": true"#))])
        #expect(try await run(batch, on: host) == SLUICE_BATCH_DONE)
        let deadline = ContinuousClock.now + .seconds(5)
        while !host.producedRecords.contains(where: { $0.valueString == "late" }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(host.producedRecords.map(\.valueString) == ["100-0", "late"])
        #expect(host.producedRecords.map(\.batchID) == [18, 18])
        #expect(host.produceBatchCalls == [1], "the late record came through produce")
    }

    @Test("a host older than ABI 1.3 gets each record through produce, in the same order")
    func olderHost() async throws {
        let host = HostRecorder(structSize: HostRecorder.abi1_2Size)
        let batch = TestBatch(id: 15, [
            .init(key: "a", value: Self.request("first", copies: 2)),
            .init(key: "b", value: Self.request("second", extra: #", "json": true"#)),
        ])
        #expect(try await run(batch, on: host) == SLUICE_BATCH_DONE)
        #expect(host.produceBatchCalls == [])
        #expect(host.producedRecords.map(\.topic) == ["first", "first", "second"])
        #expect(host.producedRecords.map(\.valueString) == ["100-0", "100-1", #"{"offset":101,"copy":0}"#])
    }

    @Test("gathered records the host refuses send the whole batch round again, with a reason naming the topic")
    func refused() async throws {
        let host = HostRecorder()
        host.refuseProduce = true
        let batch = TestBatch(id: 16, [
            .init(key: "a", value: Self.request("out")),
            .init(key: "b", value: Self.request("out")),
        ])
        #expect(try await run(batch, on: host) == SLUICE_BATCH_DONE)
        #expect(batch.results == [SLUICE_RESULT_RETRY, SLUICE_RESULT_RETRY])
        #expect(host.reasons(for: 16)[0]?.contains("cannot produce to 'out'") == true)
        #expect(host.reasons(for: 16)[1]?.contains("cannot produce to 'out'") == true)
    }

    @Test("a refusal of records handed over mid-batch is thrown where the agent produced")
    func refusedMidBatch() async throws {
        let host = HostRecorder()
        host.refuseProduce = true
        // The second record changes the topic, which hands the first one's record over: the
        // refusal is thrown from the second record's produce. The first record has its result
        // already, so the batch's end sends the whole batch round again.
        let batch = TestBatch(id: 17, [
            .init(key: "a", value: Self.request("first")),
            .init(key: "b", value: Self.request("second")),
        ])
        #expect(try await run(batch, on: host) == SLUICE_BATCH_DONE)
        #expect(batch.results == [SLUICE_RESULT_RETRY, SLUICE_RESULT_RETRY])
        #expect(host.reasons(for: 17)[0]?.contains("cannot produce to 'first'") == true)
        #expect(host.reasons(for: 17)[1]?.contains("cannot produce to 'first'") == true)
        #expect(host.producedRecords.isEmpty)
    }
}
