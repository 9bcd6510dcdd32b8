import Foundation
import SluiceHost
import TestSupport

/// Set-ups for the plugins-directory trust tests: another local user, modes,
/// owners, FIFOs.
enum TrustFixtures {
    /// The account the "owned by another user" tests chown files to.
    static let otherUserName = "sluice-test-other"

    /// Whether this process may chown files to another user (the suite runs as root in CI).
    static var canChown: Bool { geteuid() == 0 }

    /// The uid of `otherUserName`, creating the account if it does not exist
    /// (another test may be creating it at the same time: useradd then fails
    /// on the lock or the name, and the account appears a moment later).
    static func otherUser() async throws -> uid_t {
        for _ in 0..<50 {
            if let uid = uid(of: otherUserName) { return uid }
            try await ProcessRunner.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                                         otherUserName], check: false)
            if let uid = uid(of: otherUserName) { return uid }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("could not create the user \(otherUserName) with useradd")
    }

    /// The uid of account `name`, if it exists.
    static func uid(of name: String) -> uid_t? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    /// chown (without following a symlink), throwing on failure.
    static func setOwner(_ path: String, uid: uid_t) throws {
        guard lchown(path, uid, gid_t.max) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Creates a FIFO at `path`.
    static func makeFIFO(_ path: String) throws {
        guard mkfifo(path, 0o644) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// A Unix socket bound at `path` (its descriptor, for the caller to close).
    static func makeSocket(_ path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8CString)
        guard bytes.count <= MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw HarnessError("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = UInt8(bitPattern: byte) }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return descriptor
    }

    /// Creates a directory with `mode` (chmod after mkdir: the umask does not apply).
    @discardableResult
    static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        try LoaderFixtures.setMode(mode, path)
        return path
    }

    /// A symlink at `path` pointing to `target`.
    static func link(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    /// The refusal `body` throws; nil when it throws none (or another error).
    static func refusal<Value>(_ body: () throws -> Value) -> PluginRefusal? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? PluginRefusal
        }
    }
}
