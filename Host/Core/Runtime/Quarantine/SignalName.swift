#if canImport(Glibc)
import Glibc
#endif

/// The name operators know a fatal signal by (`SIGSEGV`), for log lines and
/// the `sluice.error` header of a record that crashed its plugin.
enum SignalName {
    /// `SIGSEGV`, `SIGABRT`, …; `signal N` for one without a name here.
    static func of(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        case SIGILL: "SIGILL"
        case SIGFPE: "SIGFPE"
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}
