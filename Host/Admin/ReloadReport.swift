import Foundation
import SluiceHost

/// One reload (a change in the plugins directory or a reload request), as
/// `GET /agents` lists it.
public struct ReloadReport: Codable, Sendable, Equatable {
    /// The agent (or the file's base name when no agent could be read).
    public var agent: String
    /// The plugin file.
    public var file: String
    /// `started`, `upgraded`, `stopped`, `unchanged` or `refused`.
    public var outcome: String
    /// Why the new version was refused (the old one keeps running); nil otherwise.
    public var reason: String?
    /// How long the swap paused the agent's dispatch, in milliseconds (upgrades only).
    public var pauseMilliseconds: Double?
    /// When it happened (ISO 8601, UTC).
    public var at: String

    /// The report of `event`.
    public init(_ event: ReloadEvent) {
        agent = event.agent
        file = event.file
        switch event.outcome {
        case .started: outcome = "started"
        case .upgraded: outcome = "upgraded"
        case .stopped: outcome = "stopped"
        case .unchanged: outcome = "unchanged"
        case .refused(let why): outcome = "refused"; reason = why
        }
        pauseMilliseconds = event.pause.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
        at = event.at.formatted(.iso8601)
    }

    enum CodingKeys: String, CodingKey {
        case agent, file, outcome, reason, at
        case pauseMilliseconds = "pause_ms"
    }

    /// Absent optionals print as null, so scripts can rely on every key being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent, forKey: .agent)
        try container.encode(file, forKey: .file)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(reason, forKey: .reason)
        try container.encode(pauseMilliseconds, forKey: .pauseMilliseconds)
        try container.encode(at, forKey: .at)
    }
}
