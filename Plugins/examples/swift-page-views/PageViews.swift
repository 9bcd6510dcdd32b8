import SluiceSDK

/// Example stateful agent: page views per user per minute (Faust's
/// windowed-table example). Each view adds one to the user's count in a
/// tumbling one-minute window; when a minute closes (on stream time, or on
/// the wall clock once input goes quiet), the count is produced to
/// `page_views_per_minute` as `{"user":…,"window_start":…,"window_end":…,"views":n}`.
struct PageViews: Agent {
    static let name = "page-views"
    static let version = "1.0.0"
    static let summary: String? = "Counts page views per user per minute"
    static let topics = ["page_views"]
    static let capabilities: Capabilities = [.produces]
    static let tables: [TableDeclaration] = [.windowed("views", .tumbling(.seconds(60)))]

    /// Where the closed minutes go.
    static let output = "page_views_per_minute"

    init(configuration: EmptyConfiguration, host: HostServices) {}

    func handle(_ record: Record<PageView>, context: AgentContext) async throws -> Outcome {
        try await context.window("views", as: Int.self)
            .update(record.value.user, at: record.timestampMilliseconds, default: 0) { $0 += 1 }
        return .ok
    }

    func windowEmitted(_ window: WindowEmission, context: AgentContext) async throws {
        let views = ViewsPerMinute(user: window.key, windowStart: window.windowStart, windowEnd: window.windowEnd,
                                   views: try window.value(as: Int.self))
        try context.produce(topic: Self.output, key: window.key, json: views)
    }
}

/// The plugin's entry symbol: hands the host the agent's descriptor.
@c(sluice_plugin_entry_v1)
public func sluicePluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
    SluicePlugin.export(PageViews.self, major, minor)
}
