import CSluicePlugin

/// The `SLUICE_CAP_*` bits of a descriptor, with their names for display.
public struct PluginCapabilities: OptionSet, Sendable, Hashable {
    /// The raw `capabilities` value.
    public let rawValue: UInt64

    /// Wraps a raw `capabilities` value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// May return `SLUICE_BATCH_PENDING`.
    public static let pending = PluginCapabilities(rawValue: 1 << 0)
    /// Produces records.
    public static let produces = PluginCapabilities(rawValue: 1 << 1)
    /// Keeps no state between batches.
    public static let stateless = PluginCapabilities(rawValue: 1 << 2)

    private static let named: [(PluginCapabilities, String)] = [
        (.pending, "pending"), (.produces, "produces"), (.stateless, "stateless"),
    ]

    /// Flag names in bit order; unknown bits appear as `bitN` (a newer plugin may set them).
    public var names: [String] {
        var names: [String] = []
        for bit in 0..<64 where rawValue & (UInt64(1) << UInt64(bit)) != 0 {
            let flag = PluginCapabilities(rawValue: UInt64(1) << UInt64(bit))
            names.append(Self.named.first { $0.0 == flag }?.1 ?? "bit\(bit)")
        }
        return names
    }
}
