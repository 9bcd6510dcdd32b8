/// A table an ``Agent`` keeps (see ``Agent/tables``): a key-value map per
/// input partition, kept by the host (a local store backed by a compacted
/// changelog topic), so it moves with the partition and survives crashes.
///
/// ```swift
/// static let tables: [TableDeclaration] = [
///     .table("totals"),
///     .windowed("views", .tumbling(.seconds(60)), grace: .seconds(5)),
/// ]
/// ```
public struct TableDeclaration: Sendable, Equatable {
    /// The table's name: `[a-z0-9_]{1,64}`, not starting with `__` (reserved for the host).
    public let name: String
    /// The windowing of a windowed table; nil for a plain table.
    public let windowing: Windowing?
    /// How long after its end a window still takes late records (windowed tables).
    public let grace: Duration
    /// When a window's value is emitted (windowed tables).
    public let emit: WindowEmitPolicy
    /// A topic every emitted window is also produced to, as
    /// `{"key":…,"window_start":…,"window_end":…,"value":…}` keyed by the
    /// table key; nil to hand it to ``Agent/windowEmitted(_:context:)`` only.
    public let emitTopic: String?

    /// A plain table: read and written with ``AgentContext/table(_:as:)``.
    public static func table(_ name: String) -> TableDeclaration {
        TableDeclaration(name: name, windowing: nil, grace: .zero, emit: .onClose, emitTopic: nil)
    }

    /// A windowed table: updated with ``AgentContext/window(_:as:)``.
    /// - Parameters:
    ///   - name: the table name.
    ///   - windowing: tumbling, hopping or sliding windows.
    ///   - grace: how long after a window's end records are still added to
    ///     it; the window closes at end + grace. Default none.
    ///   - emit: emit on close (default) or on every update.
    ///   - topic: also produce every emitted window to this topic.
    public static func windowed(_ name: String, _ windowing: Windowing, grace: Duration = .zero,
                                emit: WindowEmitPolicy = .onClose, to topic: String? = nil) -> TableDeclaration {
        TableDeclaration(name: name, windowing: windowing, grace: grace, emit: emit, emitTopic: topic)
    }

    /// Why the declaration cannot be used, or nil when it can.
    var problem: String? {
        let bytes = Array(name.utf8)
        let allowed = bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        if bytes.isEmpty || bytes.count > 64 || !allowed {
            return "table name '\(name)' must match [a-z0-9_]{1,64}"
        }
        if name.hasPrefix("__") { return "table name '\(name)' starts with '__', which is reserved for the host" }
        if grace < .zero { return "table '\(name)': grace must not be negative" }
        if let problem = windowing?.problem { return "table '\(name)': \(problem)" }
        return nil
    }
}
