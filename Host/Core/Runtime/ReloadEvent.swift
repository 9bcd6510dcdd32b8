import Foundation

/// What one change in the plugins directory (or one reload request) did.
public struct ReloadEvent: Sendable, Equatable {
    /// The outcome.
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// A new agent started.
        case started
        /// The agent now runs the new file (in place, or restarted when its settings changed).
        case upgraded
        /// The file (or its sidecar) was removed; the agent stopped.
        case stopped
        /// Same content and settings as running: nothing to do.
        case unchanged
        /// The new version was refused; whatever ran before keeps running.
        case refused(String)

        public var description: String {
            switch self {
            case .started: "started"
            case .upgraded: "upgraded"
            case .stopped: "stopped"
            case .unchanged: "unchanged"
            case .refused(let reason): "refused: \(reason)"
            }
        }

        /// `ok` for everything but a refusal (the metrics label).
        public var label: String {
            if case .refused = self { return "failed" }
            return "ok"
        }
    }

    /// The agent's name, or the file's base name when no agent could be read.
    public let agent: String
    /// The plugin file.
    public let file: String
    /// What happened.
    public let outcome: Outcome
    /// How long the agent's dispatch was paused by the swap (upgrades only).
    public let pause: Duration?
    /// When it happened.
    public let at: Date
}
