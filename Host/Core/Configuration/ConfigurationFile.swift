import Foundation

/// Reading a configuration file with the operating system's reason on
/// failure: without blocking (a FIFO, socket or device is refused) and
/// within `sizeLimit`.
enum ConfigurationFile {
    /// The largest configuration file read: 1 MiB.
    static let sizeLimit = 1 << 20

    /// Why a file could not be read.
    enum Failure: Error, Equatable {
        /// The file does not exist (ENOENT).
        case missing
        /// Any other OS error, with `strerror`'s text.
        case unreadable(String)
        /// The bytes are not UTF-8.
        case notText
        /// Not a regular file (a FIFO, socket, device or directory), named.
        case notRegular(String)
        /// Larger than `sizeLimit`; the size found.
        case tooLarge(Int)

        /// The expectation an error reports.
        var expected: String {
            switch self {
            case .notText: "UTF-8 text"
            case .notRegular: "a regular file"
            case .tooLarge: "a file of at most \(ConfigurationFile.sizeLimit) bytes (1 MiB)"
            case .missing, .unreadable: "a readable file"
            }
        }

        /// The found value an error reports.
        var found: String {
            switch self {
            case .missing: return "an OS error: \(String(cString: strerror(ENOENT)))"
            case .unreadable(let reason): return "an OS error: \(reason)"
            case .notText: return "bytes that are not UTF-8"
            case .notRegular(let kind): return kind
            case .tooLarge(let size): return "\(size) bytes or more"
            }
        }
    }

    /// The whole file at `path` as text.
    static func contents(of path: String) -> Result<String, Failure> {
        // lstat first: a FIFO, socket or device is refused without being
        // opened; the descriptor's fstat decides (the path may change between).
        var named = stat()
        guard stat(path, &named) == 0 else { return .failure(failure(errno)) }
        if named.st_mode & S_IFMT == S_IFDIR { return .failure(failure(EISDIR)) }
        guard named.st_mode & S_IFMT == S_IFREG else { return .failure(.notRegular(kind(named.st_mode))) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return .failure(failure(errno)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(failure(errno)) }
        guard status.st_mode & S_IFMT == S_IFREG else { return .failure(.notRegular(kind(status.st_mode))) }
        guard Int(status.st_size) <= sizeLimit else { return .failure(.tooLarge(Int(status.st_size))) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(failure(errno))
            }
            bytes.append(contentsOf: chunk[..<count])
            if bytes.count > sizeLimit { return .failure(.tooLarge(bytes.count)) }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(.notText) }
        return .success(text)
    }

    /// "a FIFO", "a directory", ...: what a non-regular file is.
    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "not a regular file"
        }
    }

    private static func failure(_ code: Int32) -> Failure {
        code == ENOENT ? .missing : .unreadable(String(cString: strerror(code)))
    }
}
