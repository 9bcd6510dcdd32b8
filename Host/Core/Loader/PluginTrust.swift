#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who may change what the host runs: the plugins directory is a trust
/// boundary. A plugin file, a sidecar, every directory on their real path
/// from the plugins directory down (symlinks resolved) and the plugins
/// directory itself must be owned by the host's user (effective uid) or root
/// and writable by no one else: no group write (unless the group is
/// `trustedGroup`), no write for others.
public struct PluginTrust: Sendable, Equatable {
    /// The uid whose files are trusted besides root's: the host's effective uid.
    public let hostUser: uid_t
    /// A group whose write permission is accepted (deployments that
    /// deliberately share the plugins directory with a group); nil: none.
    public let trustedGroup: gid_t?

    /// Trusts the host's effective uid and root, and `trustedGroup`'s write permission if given.
    public init(trustedGroup: gid_t? = nil) {
        self.hostUser = geteuid()
        self.trustedGroup = trustedGroup
    }

    /// What is wrong with a file or directory whose `lstat`/`fstat` is
    /// `status`; nil when it is trusted. `subject` names it in the text
    /// (e.g. "sidecar /p/x.yaml"); "" when it is the file the refusal is about.
    func problem(_ status: stat, subject: String) -> String? {
        let mode = status.st_mode
        // Names are looked up only for a refusal: user and group lookups may go
        // through NSS (LDAP, ...), and trusted files are checked on every reload.
        func found() -> String {
            "mode \(PluginFileReader.modeText(mode)), owner \(Self.userText(status.st_uid)), group \(Self.groupText(status.st_gid))"
        }
        let prefix = subject.isEmpty ? "" : subject + " is "
        if status.st_uid != hostUser && status.st_uid != 0 {
            return "\(prefix)owned by another user (\(found())); expected owner \(Self.userText(hostUser)) or root (chown)"
        }
        if mode & S_IWOTH != 0 {
            return "\(prefix)world-writable (\(found())); expected no write permission for others (chmod o-w)"
        }
        if mode & S_IWGRP != 0 && status.st_gid != trustedGroup {
            let trusted = trustedGroup.map { " (only the trusted group \(Self.groupText($0)) may write)" } ?? ""
            return "\(prefix)group-writable (\(found())); expected no write permission for its group\(trusted) (chmod g-w)"
        }
        return nil
    }

    /// Throws the refusal of `file` that `problem` describes, if any.
    func refuseUnless(_ status: stat, file: String, subject: String) throws(PluginRefusal) {
        guard let problem = problem(status, subject: subject) else { return }
        let owned = status.st_uid == hostUser || status.st_uid == 0
        throw PluginRefusal(file: file, reason: owned ? .unsafePermissions : .untrustedOwner, detail: problem)
    }

    /// Refuses a plugins directory that is missing, not a directory, or not
    /// trusted; returns its real path. Refusals are about `file`.
    func checkPluginsDirectory(_ directory: String, file: String) throws(PluginRefusal) -> String {
        let subject = directory == file ? "plugins directory" : "plugins directory \(directory)"
        var status = stat()
        guard stat(directory, &status) == 0 else {
            throw PluginRefusal(file: file, reason: .unreadable,
                                detail: "\(subject) cannot be read: \(PluginFileReader.errorText(errno))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw PluginRefusal(file: file, reason: .unreadable,
                                detail: "\(directory == file ? "" : subject + " is ")not a directory (\(PluginFileReader.kindText(status.st_mode))); expected the plugins directory")
        }
        let real = try realPath(directory, file: file, expected: "the plugins directory")
        try checkDirectory(real, file: file, subject: subject)
        return real
    }

    /// Checks the plugins directory (the parent of `path`) and every
    /// directory on `path`'s real path that the plugins directory does not
    /// already cover; returns the real path. Refusals are about `file`.
    ///
    /// Directories above the plugins directory are the operator's choice and
    /// are not checked. A symlink is followed: when its target lies outside
    /// the plugins directory, every directory of the target's real path that
    /// is not an ancestor of the plugins directory is checked.
    func checkPath(_ path: String, file: String, expected: String) throws(PluginRefusal) -> String {
        let realDirectory = try checkPluginsDirectory(Self.parent(of: path), file: file)
        let realFile = try realPath(path, file: file, expected: expected)
        let ancestors = Self.ancestors(of: realDirectory)
        var prefix = ""
        for part in Self.parent(of: realFile).split(separator: "/") {
            prefix += "/" + part
            guard prefix != realDirectory, !ancestors.contains(prefix) else { continue }
            try checkDirectory(prefix, file: file, subject: "directory \(prefix) on the real path \(realFile)")
        }
        return realFile
    }

    /// `lstat`s a directory and refuses it unless it is a trusted directory.
    private func checkDirectory(_ path: String, file: String, subject: String) throws(PluginRefusal) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            throw PluginRefusal(file: file, reason: .unreadable,
                                detail: "\(subject) cannot be read: \(PluginFileReader.errorText(errno))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw PluginRefusal(file: file, reason: .unreadable,
                                detail: "\(subject) is not a directory (\(PluginFileReader.kindText(status.st_mode)))")
        }
        try refuseUnless(status, file: file, subject: subject)
    }

    private func realPath(_ path: String, file: String, expected: String) throws(PluginRefusal) -> String {
        guard let resolved = realpath(path, nil) else {
            throw PluginRefusal(file: file, reason: .unreadable,
                                detail: "cannot open\(path == file ? "" : " " + path): \(PluginFileReader.errorText(errno)) (expected \(expected))")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The directory part of `path` ("." for a bare name, "/" for a root entry).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }

    /// Every proper ancestor of an absolute, resolved `path`, "/" included.
    static func ancestors(of path: String) -> Set<String> {
        var result: Set<String> = ["/"]
        var prefix = ""
        for part in path.split(separator: "/").dropLast() {
            prefix += "/" + part
            result.insert(prefix)
        }
        return result
    }

    /// `uid 1001 (name)`, or `uid 1001` when the account has no name.
    static func userText(_ uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            return "uid \(uid)"
        }
        return "uid \(uid) (\(String(cString: name)))"
    }

    /// `gid 1001 (name)`, or `gid 1001` when the group has no name.
    static func groupText(_ gid: gid_t) -> String {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.gr_name else {
            return "gid \(gid)"
        }
        return "gid \(gid) (\(String(cString: name)))"
    }

    /// The gid of a group given by name or number; nil when there is no such group.
    public static func groupID(_ text: String) -> gid_t? {
        if let number = UInt32(text) { return gid_t(number) }
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getgrnam_r(text, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}
