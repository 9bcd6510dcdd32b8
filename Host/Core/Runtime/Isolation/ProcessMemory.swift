import Foundation

/// A process's resident memory, read from `/proc/PID/statm`.
enum ProcessMemory {
    /// Resident bytes of `pid`, or nil when it cannot be read (the process is gone).
    static func resident(of pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .ascii) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
