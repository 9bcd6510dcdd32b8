import Foundation
import SluiceSDK

/// Example agent: reads orders, adds `total = quantity * price`, and produces
/// the enriched order (keyed by order id) to the configured output topic.
/// Orders with a non-positive quantity are dead-lettered.
struct Enricher: Agent {
    static let name = "enricher"
    static let version = "1.0.0"
    static let summary: String? = "Adds the total to every order"
    static let topics = ["orders"]
    static let capabilities: Capabilities = [.produces, .stateless]
    static let configurationSchema: String? = """
        {"type":"object","properties":{"output":{"type":"string","minLength":1}},"additionalProperties":false}
        """

    let output: String
    let enriched: Counter

    static func validate(_ configuration: EnricherConfiguration) throws {
        if configuration.output.isEmpty { throw ConfigurationError("'output' must not be empty") }
    }

    init(configuration: EnricherConfiguration, host: HostServices) {
        output = configuration.output
        enriched = host.counter("orders_enriched")
        host.log(.info, "enriching orders into \(output)")
    }

    func handle(_ record: Record<Order>, context: AgentContext) async throws -> Outcome {
        let order = record.value
        guard order.quantity > 0 else { return .deadLetter(reason: "quantity must be positive") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys] // stable output for consumers and tests
        let body = try encoder.encode(EnrichedOrder(order: order, total: Double(order.quantity) * order.price))
        try context.produce(topic: output, key: order.id, value: body)
        enriched.add()
        return .ok
    }
}

/// The plugin's entry symbol: hands the host the enricher's descriptor.
@c(sluice_plugin_entry_v1)
public func sluicePluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
    SluicePlugin.export(Enricher.self, major, minor)
}
