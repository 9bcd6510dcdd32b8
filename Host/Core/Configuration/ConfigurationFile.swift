import Foundation

/// Reading a configuration file with the operating system's reason on failure.
enum ConfigurationFile {
    /// Why a file could not be read.
    enum Failure: Error, Equatable {
        /// The file does not exist (ENOENT).
        case missing
        /// Any other OS error, with `strerror`'s text.
        case unreadable(String)
        /// The bytes are not UTF-8.
        case notText

        /// The expectation an error reports.
        var expected: String {
            self == .notText ? "UTF-8 text" : "a readable file"
        }

        /// The found value an error reports.
        var found: String {
            switch self {
            case .missing: return "an OS error: \(String(cString: strerror(ENOENT)))"
            case .unreadable(let reason): return "an OS error: \(reason)"
            case .notText: return "bytes that are not UTF-8"
            }
        }
    }

    /// The whole file at `path` as text.
    static func contents(of path: String) -> Result<String, Failure> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(failure(errno)) }
        defer { close(descriptor) }
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
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(.notText) }
        return .success(text)
    }

    private static func failure(_ code: Int32) -> Failure {
        code == ENOENT ? .missing : .unreadable(String(cString: strerror(code)))
    }
}
