import SluiceHost

/// A plugin file the host refused, as `GET /agents` lists it.
public struct RefusalReport: Codable, Sendable, Equatable {
    /// The plugin file.
    public var file: String
    /// The kind of problem (stable: `truncated`, `abiMajorMismatch`, ...).
    public var reason: String
    /// What is wrong and what was expected.
    public var detail: String

    /// The report of `refusal`.
    public init(_ refusal: PluginRefusal) {
        file = refusal.file
        reason = refusal.reason.rawValue
        detail = refusal.detail
    }
}
