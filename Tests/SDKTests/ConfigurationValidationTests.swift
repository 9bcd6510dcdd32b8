import CSluicePlugin
import SluiceSDK
import Testing

@Suite("Configuration decoding through validate_config and create")
struct ConfigurationValidationTests {
    let plugin: LoadedPlugin

    init() throws {
        plugin = try LoadedPlugin(entryResult: SluicePlugin.export(OrderAgent.self, 1, 0))
    }

    @Test("a valid configuration passes")
    func valid() {
        #expect(plugin.validate(#"{"output": "out", "limit": 3}"#) == nil)
    }

    @Test("a missing key is named in the reason")
    func missingKey() throws {
        let reason = try #require(plugin.validate(#"{"limit": 3}"#))
        #expect(reason.contains("missing key 'output'"), "\(reason)")
        #expect(reason.contains("orders-test"))
    }

    @Test("a key of the wrong type is named in the reason")
    func wrongType() throws {
        let reason = try #require(plugin.validate(#"{"output": "out", "limit": "many"}"#))
        #expect(reason.contains("key 'limit'"), "\(reason)")
        #expect(reason.contains("Int"), "\(reason)")
    }

    @Test("malformed JSON is reported as such")
    func malformed() throws {
        let reason = try #require(plugin.validate(#"{"output": }"#))
        #expect(reason.contains("malformed JSON"), "\(reason)")
    }

    @Test("the agent's own validation runs too")
    func agentValidation() throws {
        let reason = try #require(plugin.validate(#"{"output": "out", "limit": 0}"#))
        #expect(reason.contains("'limit' must be at least 1"), "\(reason)")
    }

    @Test("create fails with the same reason and stores no instance")
    func createFails() {
        let host = HostRecorder()
        let failure = #expect(throws: PluginFailure.self) { try plugin.create("{}", host: host) }
        #expect(failure?.reason.contains("missing key 'output'") == true, "\(String(describing: failure))")
    }

    @Test("an agent without configuration accepts {} and empty text")
    func emptyConfiguration() throws {
        let shout = try LoadedPlugin(entryResult: SluicePlugin.export(ShoutAgent.self, 1, 0))
        #expect(shout.validate("{}") == nil)
        #expect(shout.validate("") == nil)
        #expect(shout.validate(#"{"anything": [1, 2]}"#) == nil)
        let reason = try #require(shout.validate("[1, 2]"))
        #expect(reason.contains("invalid configuration"), "\(reason)")
    }

    @Test("a reason longer than the buffer is truncated and NUL-terminated")
    func truncatedReason() throws {
        var small = [CChar](repeating: 0x7F, count: 16)
        let descriptor = plugin.descriptor.pointee
        let status = "{}".withCString { descriptor.validate_config_v2!(descriptor.context, $0, 2, &small, small.count) }
        #expect(status == SLUICE_STATUS_ERROR)
        #expect(small.last == 0)
        #expect(cText(small).utf8.count == 15)
    }
}
