import SluiceSDK

/// S11's producing typed Swift SDK agent: decodes each feed activity into
/// `Activity` and produces it again as JSON (`produce(topic:key:json:)`),
/// with the record's key, to the configured output topic. What it costs
/// beyond the C copy agent (tools/bench/copy.c, which produces the bytes
/// unchanged) is the SDK's typed path both ways.
struct TypedProducerAgent: Agent {
    struct Input: Codable, Sendable {
        let user: String
        let message: String
        let timestamp: String
    }

    struct Configuration: Decodable, Sendable {
        /// Where the activities go.
        let output: String
    }

    static let name = "typed-producer"
    static let topics = ["feed_activities"]
    static let capabilities: Capabilities = [.produces]

    let output: String

    init(configuration: Configuration, host: HostServices) {
        output = configuration.output
    }

    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome {
        try record.withKey { key in
            try context.produce(topic: output, key: key, json: record.value)
        }
        return .ok
    }
}

@c(sluice_plugin_entry_v1)
public func sluicePluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
    SluicePlugin.export(TypedProducerAgent.self, major, minor)
}
