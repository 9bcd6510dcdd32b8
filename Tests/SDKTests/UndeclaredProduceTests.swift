import CSluicePlugin
import SluiceSDK
import Testing

/// Capabilities are declared, not detected: an agent that produces without
/// declaring `.produces` is told so, once, in the host's log.
@Suite("Producing without declaring .produces")
struct UndeclaredProduceTests {
    private static let hint = "produces records but its capabilities do not declare .produces"

    @Test("a BatchAgent that produces without declaring .produces logs one warning naming the fix")
    func undeclared() throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(ShoutAgent.self, 1, 0))
        #expect(plugin.descriptor.pointee.capabilities & Capabilities.produces.rawValue == 0)
        let host = HostRecorder()
        let instance = try plugin.create(host: host)
        defer { instance.destroy() }
        let state = try instance.open(topic: "words", partition: 0)
        defer { instance.close(topic: "words", partition: 0, state: state) }
        for id in [31, 32] as [UInt64] {
            #expect(instance.onBatch(TestBatch(id: id, values: ["a", "b"], partitionState: state)) == SLUICE_BATCH_DONE)
        }
        #expect(host.producedRecords.count == 4)
        let warnings = host.logLines.filter { $0.contains(Self.hint) }
        #expect(warnings.count == 1, "\(host.logLines)")
        #expect(warnings.first?.contains("agent shout") == true)
        #expect(warnings.first?.contains("static let capabilities: Capabilities = [.produces]") == true)
    }

    @Test("an Agent that declares .produces advertises it beside the pending the SDK adds")
    func declared() throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(OrderAgent.self, 1, 0))
        #expect(plugin.descriptor.pointee.capabilities & Capabilities.produces.rawValue != 0)
        #expect(plugin.descriptor.pointee.capabilities & Capabilities.pending.rawValue != 0)
    }
}
