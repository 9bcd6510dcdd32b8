import Foundation

/// A process's private resident memory, read from `/proc/PID/statm`:
/// resident pages minus shared ones, so the shared batch region and mapped
/// files do not count against a runner's `memory_limit`.
enum ProcessMemory {
    /// Private resident bytes of `pid`, or nil when it cannot be read (the process is gone).
    static func resident(of pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .ascii) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 2, let pages = Int(fields[1]), let shared = Int(fields[2]) else { return nil }
        return max(0, pages - shared) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
