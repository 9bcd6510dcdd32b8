import Foundation

/// What every Sluice agent written in Swift declares: its identity (copied into
/// the plugin descriptor), its configuration type, how it is created, and the
/// optional per-partition hooks.
///
/// Do not conform to this protocol directly: conform to ``Agent`` (typed,
/// `async`, one record at a time) or ``BatchAgent`` (synchronous, zero-copy,
/// one batch at a time), then export the type with `SluicePlugin.export(MyAgent.self, major, minor)`.
///
/// An agent instance is shared by every partition assigned to it, and batches
/// of different partitions run concurrently, hence `Sendable`.
public protocol SluiceAgent: Sendable {
    /// The decoded configuration (the JSON object the host passes to
    /// `validate_config` and `create`; `{}` when the agent has none).
    associatedtype Configuration: Decodable & Sendable = EmptyConfiguration

    /// What ``openPartition(topic:partition:)`` keeps for one assigned partition.
    associatedtype PartitionState: AnyObject = NoPartitionState

    /// The agent name: `[a-z0-9_-]{1,64}`. The host refuses anything else.
    static var name: String { get }
    /// A free-form version, e.g. `"1.2.0"`. Default `"0.0.0"`.
    static var version: String { get }
    /// One line describing the agent, or `nil`. Default `nil`.
    static var summary: String? { get }
    /// The default input topics (the host configuration may override them).
    static var topics: [String] { get }
    /// What the agent may do (informational for the host; `sluice plugins
    /// inspect` shows it). Declared, not detected: an agent that produces
    /// records declares ``Capabilities/produces`` (the SDK logs a warning the
    /// first time one produces without it). The SDK adds
    /// ``Capabilities/pending`` for every ``Agent``. Default: none.
    static var capabilities: Capabilities { get }
    /// The declaration of ``Configuration``'s keys (types, defaults, ranges,
    /// secrets, meanings), or `nil` for an agent that declares none (its
    /// `Configuration` then decodes the JSON as it likes). When set, the SDK
    /// refuses unknown keys and wrong values with the host's wording and fills
    /// in defaults before decoding, and ``configurationSchema`` is derived from
    /// it. Default: the `Configuration`'s ``DeclaredConfiguration/spec`` when it
    /// conforms, else `nil`.
    static var configurationSpec: ConfigurationSpec? { get }
    /// A JSON Schema of ``Configuration``, or `nil`. Default: the
    /// ``configurationSpec``'s schema, `nil` without one.
    static var configurationSchema: String? { get }

    /// Checks a decoded configuration beyond what decoding checks (ranges,
    /// non-empty names, ...). Throw an error whose description says what is
    /// wrong. Runs in `validate_config` and again in `create`. Default: accept.
    static func validate(_ configuration: Configuration) throws

    /// Creates the instance (the C `create` hook). Throwing makes `create`
    /// fail with the error's description as the reason.
    /// - Parameters:
    ///   - configuration: the decoded, validated configuration.
    ///   - host: the host services (log, metrics, produce), valid for the
    ///     instance's whole life; keep it.
    init(configuration: Configuration, host: HostServices) throws

    /// A partition was assigned (the C `open` hook). Return state to keep for
    /// it, or `nil`; it is handed back in every batch of that partition and to
    /// ``closePartition(topic:partition:state:)``. Throwing fails the
    /// assignment; the reason is logged. Default: no state.
    func openPartition(topic: String, partition: Int32) throws -> PartitionState?

    /// A partition was revoked (the C `close` hook), after every batch of it
    /// finished. Default: nothing.
    func closePartition(topic: String, partition: Int32, state: PartitionState?)
}

extension SluiceAgent {
    /// Default: `"0.0.0"`.
    public static var version: String { "0.0.0" }
    /// Default: no description.
    public static var summary: String? { nil }
    /// Default: no capabilities declared.
    public static var capabilities: Capabilities { [] }
    /// Default: the declaration's schema, or none.
    public static var configurationSchema: String? { configurationSpec?.jsonSchema }
    /// Default: every decodable configuration is valid.
    public static func validate(_ configuration: Configuration) throws {}
    /// Default: no per-partition state.
    public func openPartition(topic: String, partition: Int32) throws -> PartitionState? { nil }
    /// Default: nothing to release.
    public func closePartition(topic: String, partition: Int32, state: PartitionState?) {}
}
