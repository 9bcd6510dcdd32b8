#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file of the plugins directory (a plugin or a sidecar) once,
/// after checking who may write it and everything on its path.
///
/// Everything later (ELF checks, hashing, the private copy, the YAML parse)
/// works on these bytes, so a file replaced mid-way cannot pass the checks
/// with one content and be used with another.
enum PluginFileReader {
    /// Checks `path` with `trust` (see `PluginTrust.checkPath`), opens its
    /// real path without following a symlink and without blocking, checks
    /// the opened descriptor's kind, owner and mode, and returns at most
    /// `limit` bytes.
    ///
    /// - Parameters:
    ///   - subject: names the file in details when the refusal is about
    ///     another (a sidecar: "sidecar /p/x.yaml"); "" for `file` itself.
    ///   - expected: what the file should be, e.g. "a shared object".
    ///   - file: the file refusals are about.
    static func contents(of path: String, trust: PluginTrust, limit: Int = .max, subject: String = "",
                         expected: String = "a readable shared object",
                         refusing file: String? = nil) throws(PluginRefusal) -> [UInt8] {
        let file = file ?? path
        let prefix = subject.isEmpty ? "" : subject + ": "
        let real = try trust.checkPath(path, file: file, expected: expected)
        // lstat first: a device, FIFO or socket is refused without being opened.
        var named = stat()
        guard lstat(real, &named) == 0 else {
            throw PluginRefusal(file: file, reason: .unreadable, detail: "\(prefix)cannot open: \(errorText(errno)) (expected \(expected))")
        }
        try trust.refuseUnless(named, file: file, subject: subject)
        guard named.st_mode & S_IFMT == S_IFREG else {
            throw notRegular(named.st_mode, file: file, prefix: prefix, expected: expected)
        }
        // O_NOFOLLOW: the real path was resolved; a symlink swapped in since is not followed.
        // O_NONBLOCK: a FIFO swapped in since must not hang the reader.
        let descriptor = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard descriptor >= 0 else {
            throw PluginRefusal(file: file, reason: .unreadable, detail: "\(prefix)cannot open: \(errorText(errno)) (expected \(expected))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw PluginRefusal(file: file, reason: .unreadable, detail: "\(prefix)cannot stat: \(errorText(errno))")
        }
        // The checks that count are on what was opened.
        try trust.refuseUnless(status, file: file, subject: subject)
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw notRegular(status.st_mode, file: file, prefix: prefix, expected: expected)
        }
        if Int(status.st_size) > limit {
            throw tooLarge(Int(status.st_size), limit: limit, file: file, prefix: prefix)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw PluginRefusal(file: file, reason: .unreadable, detail: "\(prefix)cannot read: \(errorText(errno))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            // The file may grow while it is read.
            if bytes.count > limit { throw tooLarge(bytes.count, limit: limit, file: file, prefix: prefix) }
        }
        return bytes
    }

    private static func notRegular(_ mode: mode_t, file: String, prefix: String, expected: String) -> PluginRefusal {
        PluginRefusal(file: file, reason: .unreadable,
                      detail: "\(prefix)not a regular file (\(kindText(mode))); expected \(expected)")
    }

    private static func tooLarge(_ size: Int, limit: Int, file: String, prefix: String) -> PluginRefusal {
        PluginRefusal(file: file, reason: .tooLarge,
                      detail: "\(prefix)larger than \(limit) bytes (found \(size) bytes or more); expected at most \(limit) bytes")
    }

    /// The permission bits in octal, e.g. `0666`.
    static func modeText(_ mode: mode_t) -> String {
        let octal = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - octal.count)) + octal
    }

    /// A word for a non-regular file type.
    static func kindText(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "an unknown file type"
        }
    }

    /// `strerror` as a Swift string.
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
