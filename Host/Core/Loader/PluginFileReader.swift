#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a plugin file's bytes once, after checking who may write it.
///
/// Everything later (ELF checks, hashing, the private copy) works on these
/// bytes, so a file replaced mid-way cannot pass the checks with one content
/// and be loaded with another.
enum PluginFileReader {
    /// Opens `path`, checks its permissions and kind, and returns its content.
    static func contents(of path: String) throws(PluginRefusal) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO named *.so must not hang the loader.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw PluginRefusal(file: path, reason: .unreadable,
                                detail: "cannot open: \(errorText(errno)) (expected a readable shared object)")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw PluginRefusal(file: path, reason: .unreadable, detail: "cannot stat: \(errorText(errno))")
        }
        if status.st_mode & S_IWOTH != 0 {
            throw PluginRefusal(file: path, reason: .unsafePermissions,
                                detail: "world-writable (mode \(modeText(status.st_mode))); expected no write permission for others (chmod o-w)")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw PluginRefusal(file: path, reason: .unreadable,
                                detail: "not a regular file (\(kindText(status.st_mode))); expected a shared object")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw PluginRefusal(file: path, reason: .unreadable, detail: "cannot read: \(errorText(errno))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
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
