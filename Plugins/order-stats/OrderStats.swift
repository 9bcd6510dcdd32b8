import SluiceSDK

/// Per-symbol order statistics per window (one minute by default): the
/// orders, their shares and their notional (shares × price), in a tumbling
/// windowed table named `stats` keyed by symbol. When a window closes (on
/// stream time, or on the wall clock once orders stop), each symbol's totals
/// are produced to `order_stats` as
/// `{"symbol","window_start","window_end","orders","shares","notional"}`.
struct OrderStats: Agent {
    static let name = "order-stats"
    static let version = "1.0.0"
    static let summary: String? = "Order statistics per symbol per minute (count, shares, notional)"
    static let topics = ["orders"]
    static let capabilities: Capabilities = [.produces]
    /// The table the host knows by name; its window comes from the configuration (``tableDeclarations``).
    static let tables: [TableDeclaration] = [.windowed(table, .tumbling(.seconds(60)), grace: .seconds(2))]

    /// The windowed table's name, as `sluice state` and the admin API name it.
    static let table = "stats"

    let tableDeclarations: [TableDeclaration]
    let outputTopic: String

    init(configuration: OrderStatsConfiguration, host: HostServices) {
        tableDeclarations = [.windowed(Self.table, .tumbling(.milliseconds(configuration.windowMilliseconds)),
                                       grace: .milliseconds(configuration.graceMilliseconds))]
        outputTopic = configuration.outputTopic
    }

    func handle(_ record: Record<Order>, context: AgentContext) async throws -> Outcome {
        let order = record.value
        try await context.window(Self.table, as: OrderTally.self)
            .update(order.symbol, at: record.timestampMilliseconds, default: OrderTally()) { $0.add(order) }
        return .ok
    }

    func windowEmitted(_ window: WindowEmission, context: AgentContext) async throws {
        let stats = OrderStatsWindow(symbol: window.key, windowStart: window.windowStart, windowEnd: window.windowEnd,
                                     tally: try window.value(as: OrderTally.self))
        try context.produce(topic: outputTopic, key: window.key, json: stats)
    }
}

/// The plugin's entry symbol: hands the host the agent's descriptor.
@c(sluice_plugin_entry_v1)
public func sluicePluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
    SluicePlugin.export(OrderStats.self, major, minor)
}
