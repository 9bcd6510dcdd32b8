/// The host refused a table or timer operation (`SLUICE_STATE_ERROR`), or a
/// value could not be encoded or decoded. Thrown from the handler it makes
/// the record RETRY (the host logs the host-side reason).
public struct StateError: Error, Sendable, CustomStringConvertible {
    /// The operation: `get`, `put`, `delete`, `range`, `schedule timer`, ...
    public let operation: String
    /// The table, or nil for a timer operation.
    public let table: String?
    /// The key (table key or timer key), as text.
    public let key: String?
    /// What went wrong.
    public let reason: String

    public var description: String {
        var text = operation
        if let table { text += " in table '\(table)'" }
        if let key { text += " of key '\(key)'" }
        return text + " failed: " + reason
    }
}
