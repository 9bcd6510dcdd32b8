import CSluicePlugin

/// The level of a line logged through the host (`sluice_log_level`).
public enum LogLevel: UInt32, Sendable, Hashable, CaseIterable {
    /// Very detailed tracing.
    case trace = 0
    /// Debugging detail.
    case debug = 1
    /// Normal operation.
    case info = 2
    /// Something unexpected that the agent handled.
    case warning = 3
    /// Something failed.
    case error = 4

    /// The C value.
    var cValue: sluice_log_level { sluice_log_level(rawValue: rawValue) }
}
