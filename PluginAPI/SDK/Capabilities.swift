import CSluicePlugin

/// The `SLUICE_CAP_*` bits of the descriptor: what the agent may do.
/// Informational; the host uses them for display and sanity checks.
public struct Capabilities: OptionSet, Sendable, Hashable {
    /// The bits, as in `sluice_plugin_descriptor.capabilities`.
    public let rawValue: UInt64
    /// Wraps raw `SLUICE_CAP_*` bits.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// May answer a batch with `SLUICE_BATCH_PENDING` (added for every ``Agent``).
    public static let pending = Capabilities(rawValue: 1 << 0)
    /// Produces records.
    public static let produces = Capabilities(rawValue: 1 << 1)
    /// Keeps no state between batches.
    public static let stateless = Capabilities(rawValue: 1 << 2)
}
