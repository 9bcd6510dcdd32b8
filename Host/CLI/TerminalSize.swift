#if canImport(Glibc)
import Glibc
#endif

/// A terminal's size in character cells.
struct TerminalSize: Sendable, Equatable {
    /// Columns.
    var width: Int
    /// Rows.
    var height: Int

    /// The size of the terminal on `descriptor` (TIOCGWINSZ); nil when it is
    /// not a terminal or reports no size (some pseudo-terminals start at 0×0).
    static func of(_ descriptor: Int32) -> TerminalSize? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return TerminalSize(width: Int(size.ws_col), height: Int(size.ws_row))
    }
}
