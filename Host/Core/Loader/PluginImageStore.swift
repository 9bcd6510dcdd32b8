import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The private directory of content-addressed plugin copies.
///
/// `dlopen` of a path it has already loaded returns the old image, so a
/// plugin replaced in place could never be reloaded. Each distinct content
/// gets its own `<sha256>.so` here instead, and nobody else can write to it.
struct PluginImageStore: Sendable {
    /// Where the copies live (mode 0700).
    let directory: String

    /// Hex SHA-256 digest of `bytes`.
    static func digest(of bytes: [UInt8]) -> String {
        let hexDigits = Array("0123456789abcdef")
        var text = ""
        for byte in SHA256.hash(data: bytes) {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0f)])
        }
        return text
    }

    /// Creates the directory (0700, with any missing parents) and refuses one
    /// another user owns or a group or others could write to.
    func prepare(for file: String) throws(PluginRefusal) {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for part in directory.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/")) ? String(part) : "/" + part
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw failure(file, "cannot create image directory \(prefix): \(PluginFileReader.errorText(errno))")
            }
        }
        var status = stat()
        guard stat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw failure(file, "image directory \(directory) is not a directory")
        }
        // Whoever may write here could swap a copy between check and load.
        try PluginTrust().refuseUnless(status, file: file, subject: "image directory \(directory)")
    }

    /// Writes `bytes` to `<directory>/<sha256>.so` unless an identical copy is
    /// already there, and returns that path.
    func store(_ bytes: [UInt8], sha256: String, for file: String) throws(PluginRefusal) -> String {
        try prepare(for: file)
        let path = "\(directory)/\(sha256).so"
        if let existing = try? PluginFileReader.contents(of: path, trust: PluginTrust()), Self.digest(of: existing) == sha256 {
            return path
        }
        // Write a temporary name, then rename: a reader never sees half a copy.
        let temporary = "\(path).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o500)
        guard descriptor >= 0 else {
            throw failure(file, "cannot write private copy \(temporary): \(PluginFileReader.errorText(errno))")
        }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                let error = errno
                close(descriptor)
                unlink(temporary)
                throw failure(file, "cannot write private copy \(temporary): \(PluginFileReader.errorText(error))")
            }
            written += count
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = errno
            unlink(temporary)
            throw failure(file, "cannot rename private copy to \(path): \(PluginFileReader.errorText(error))")
        }
        return path
    }

    /// Deletes one private copy (a plugin that was refused keeps none).
    func remove(_ path: String) {
        unlink(path)
    }

    /// Deletes every copy (`*.so`) and leftover temporary file (`*.tmp`)
    /// whose path is not in `keeping`; returns the deleted paths.
    func prune(keeping: Set<String>) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names.sorted() where name.hasSuffix(".so") || name.hasSuffix(".tmp") {
            let path = "\(directory)/\(name)"
            guard !keeping.contains(path), unlink(path) == 0 else { continue }
            removed.append(path)
        }
        return removed
    }

    private func failure(_ file: String, _ detail: String) -> PluginRefusal {
        PluginRefusal(file: file, reason: .loadFailed, detail: detail)
    }
}
