import Foundation
import SluiceHost

/// Where the admin token comes from: `admin.token` (or `SLUICE_ADMIN_TOKEN`)
/// or `admin.token_file`, checked before the server starts.
///
/// A token file is what shared machines should use: unlike the environment
/// of a process or a world-readable `sluice.yaml`, other users cannot read it.
enum AdminTokenSource {
    /// The token `settings` configure, or nil for none.
    /// - Throws: `AdminServerError` when both are set, the token is blank, or
    ///   the file is unreadable, open to other users or owned by someone else.
    static func token(of settings: AdminSettings) throws(AdminServerError) -> BearerToken? {
        switch (settings.token, settings.tokenFile) {
        case (nil, nil):
            return nil
        case (.some, .some(let file)):
            throw .tokenAndTokenFile(file: file)
        case (.some(let token), nil):
            guard !isBlank(token) else { throw .blankToken(source: "admin.token (or SLUICE_ADMIN_TOKEN)") }
            return BearerToken(token)
        case (nil, .some(let file)):
            return try read(file)
        }
    }

    /// The token in `file`, without the line break editors add. The checks
    /// look at the opened file itself, so it cannot be swapped in between.
    static func read(_ file: String) throws(AdminServerError) -> BearerToken {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .tokenFileUnreadable(file: file, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .tokenFileUnreadable(file: file, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else {
            throw .tokenFileUnreadable(file: file, reason: "not a regular file")
        }
        let user = geteuid()
        guard status.st_uid == user else {
            throw .tokenFileNotOwned(file: file, owner: status.st_uid, user: user)
        }
        // Group or others may read or write it: the token is no longer the owner's secret.
        guard status.st_mode & 0o077 == 0 else {
            throw .tokenFileTooOpen(file: file, mode: UInt32(status.st_mode & 0o7777))
        }
        let data = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).readDataToEndOfFile()
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .blankToken(source: "the token file \(file)") }
        return BearerToken(token)
    }

    private static func isBlank(_ token: String) -> Bool {
        token.allSatisfy { $0.isWhitespace }
    }
}
