import CSluicePlugin
import SluiceSDK
import Testing

@Suite("The descriptor the SDK exports")
struct DescriptorTests {
    @Test("magic, sizes, ABI version and identity come from the agent type")
    func descriptorFields() throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(OrderAgent.self, 1, 0))
        let descriptor = plugin.descriptor.pointee
        #expect(descriptor.magic == SLUICE_PLUGIN_MAGIC)
        #expect(descriptor.struct_size == UInt32(MemoryLayout<sluice_plugin_descriptor>.size))
        #expect(descriptor.abi_major == 1)
        #expect(descriptor.abi_minor == UInt16(SLUICE_ABI_MINOR))
        #expect(descriptor.pointer_size == UInt16(MemoryLayout<UnsafeRawPointer>.size))
        #expect(descriptor.reserved == 0)
        #expect(plugin.name == "orders-test")
        #expect(String(cString: descriptor.version) == "2.3.4")
        #expect(String(cString: descriptor.description) == "test agent")
        #expect(String(cString: descriptor.config_schema) == #"{"type":"object"}"#)
        #expect(plugin.topics == ["orders", "orders.replay"])
        // An Agent answers PENDING, so the SDK adds that capability to the declared ones.
        #expect(descriptor.capabilities == (SLUICE_CAP_PRODUCES | SLUICE_CAP_PENDING))
        #expect(descriptor.validate_config_v2 != nil && descriptor.create_v2 != nil && descriptor.context != nil && descriptor.open != nil)
        #expect(descriptor.validate_config == nil && descriptor.create == nil, "the _v2 entry points replace them")
        #expect(descriptor.tables == nil && descriptor.on_timer == nil, "a stateless agent declares no tables or timers")
        #expect(descriptor.on_batch != nil && descriptor.flush != nil && descriptor.close != nil && descriptor.destroy != nil)
    }

    @Test("the descriptor is built once: every call returns the same pointer")
    func builtOnce() {
        let first = SluicePlugin.export(ShoutAgent.self, 1, 0)
        let second = SluicePlugin.export(ShoutAgent.self, 1, 3)
        #expect(first != nil)
        #expect(first == second)
        #expect(first != SluicePlugin.export(OrderAgent.self, 1, 0))
    }

    @Test("a host of another ABI major is declined")
    func otherMajorDeclined() {
        #expect(SluicePlugin.export(ShoutAgent.self, 2, 0) == nil)
        #expect(SluicePlugin.export(ShoutAgent.self, 0, 9) == nil)
    }

    @Test("a batch agent declares no PENDING capability and no description by default")
    func batchAgentDefaults() throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(ShoutAgent.self, 1, 0))
        #expect(plugin.descriptor.pointee.capabilities == 0)
        #expect(plugin.descriptor.pointee.description == nil)
        #expect(String(cString: plugin.descriptor.pointee.version) == "0.0.0")
        #expect(plugin.topics == ["words"])
    }

    @Test("MessageResult raw values are the header's")
    func resultValues() {
        #expect(MessageResult.ok.rawValue == UInt8(SLUICE_RESULT_OK.rawValue))
        #expect(MessageResult.retry.rawValue == UInt8(SLUICE_RESULT_RETRY.rawValue))
        #expect(MessageResult.deadLetter.rawValue == UInt8(SLUICE_RESULT_DLQ.rawValue))
        #expect(MessageResult.skip.rawValue == UInt8(SLUICE_RESULT_SKIP.rawValue))
    }
}
