import SluiceSDK

/// S11's typed Swift SDK agent: decodes each feed activity into `Activity`
/// and returns `.ok`, so what it costs beyond the no-op C agent is the SDK's
/// typed path (a task per batch, the decoding, a `Record` per message).
struct TypedActivityAgent: Agent {
    struct Input: Decodable, Sendable {
        let user: String
        let message: String
        let timestamp: String
    }

    static let name = "typed-activity"
    static let topics = ["feed_activities"]

    init(configuration: EmptyConfiguration, host: HostServices) {}

    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome { .ok }
}

@c(sluice_plugin_entry_v1)
public func sluicePluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
    SluicePlugin.export(TypedActivityAgent.self, major, minor)
}
