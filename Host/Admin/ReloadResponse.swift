/// The body of a successful `POST /agents/{name}/reload`.
public struct ReloadResponse: Codable, Sendable, Equatable {
    /// What the reload did.
    public var reload: ReloadReport
    /// The agent afterwards (null if it no longer runs).
    public var agent: AgentReport?

    /// Creates a response.
    public init(reload: ReloadReport, agent: AgentReport?) {
        self.reload = reload
        self.agent = agent
    }

    /// A missing agent prints as null rather than disappearing.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(reload, forKey: .reload)
        try container.encode(agent, forKey: .agent)
    }

    enum CodingKeys: String, CodingKey { case reload, agent }
}
