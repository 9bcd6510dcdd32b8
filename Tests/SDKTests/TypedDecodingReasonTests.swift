import CSluicePlugin
import SluiceSDK
import Testing

@Suite("Dead-letter reasons of the typed path name the key path, on either decoder")
struct TypedDecodingReasonTests {
    static let values: [String?] = [
        #"{"id":"s","destination":{"zip":"1"},"items":[]}"#,
        #"{"id":"s","destination":{"city":"c"},"items":[{"sku":"a","price":1,"quantity":1},{"sku":"b","price":"x","quantity":1}]}"#,
        #"{"id":"s","destination":{"city":"c"},"items":[{"sku":"a","price":1,"quantity":null}]}"#,
        "{oops",
        #"{"id":"s","destination":{"city":"c"},"items":[]}"#,
    ]

    /// Runs the values through `agent` and answers the batch's results and reasons.
    func reasons<A: Agent>(_ agent: A.Type) async throws -> (results: [sluice_result], reasons: [Int?: String]) {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(agent, 1, 0))
        let host = HostRecorder()
        let batch = TestBatch(id: 21, values: Self.values)
        let instance = try plugin.create("{}", host: host)
        let state = try instance.open()
        // DONE when the batch's task finished before on_batch returned; then no complete() follows.
        let status = instance.onBatch(batch)
        #expect(status == SLUICE_BATCH_PENDING || status == SLUICE_BATCH_DONE)
        var completed = status == SLUICE_BATCH_DONE
        if !completed { completed = await host.waitForCompletion(of: batch.id) }
        guard completed else {
            batch.keepAliveForever() // a task may still read it; freeing it would crash the whole run
            host.keepAliveForever()
            Issue.record("complete() was never called")
            throw PluginFailure(reason: "timeout")
        }
        instance.close(state: state)
        await onHostThread { instance.destroy() }
        return (batch.results, host.reasons(for: batch.id))
    }

    @Test("the SDK's decoder: missing key, wrong type and null name the path; malformed JSON says where")
    func sdkDecoder() async throws {
        let (results, reasons) = try await reasons(ShipmentAgent.self)
        #expect(results == [SLUICE_RESULT_DLQ, SLUICE_RESULT_DLQ, SLUICE_RESULT_DLQ, SLUICE_RESULT_DLQ, SLUICE_RESULT_OK])
        #expect(reasons[0] == "invalid JSON value: missing key 'destination.city'")
        #expect(reasons[1] == "invalid JSON value: key 'items[1].price': expected Double, found a string")
        #expect(reasons[2] == "invalid JSON value: key 'items[0].quantity': expected Int, found null")
        #expect(reasons[3] == "invalid JSON value: malformed JSON at byte 1: expected a string key")
        #expect(reasons[4] == nil)
    }

    @Test("an agent that overrides makeDecoder() decodes with Foundation, with the same reasons but for syntax")
    func foundationDecoder() async throws {
        let (results, reasons) = try await reasons(FoundationShipmentAgent.self)
        #expect(results == [SLUICE_RESULT_DLQ, SLUICE_RESULT_DLQ, SLUICE_RESULT_DLQ, SLUICE_RESULT_DLQ, SLUICE_RESULT_OK])
        #expect(reasons[0] == "invalid JSON value: missing key 'destination.city'")
        #expect(reasons[1] == "invalid JSON value: key 'items[1].price': expected Double, found a string")
        #expect(reasons[2] == "invalid JSON value: key 'items[0].quantity': expected Int, found null")
        #expect(reasons[3]?.hasPrefix("invalid JSON value: malformed JSON") == true, "\(reasons)")
    }
}
