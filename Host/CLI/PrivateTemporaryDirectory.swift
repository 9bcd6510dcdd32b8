import ArgumentParser
import Foundation

/// A fresh directory only this user can enter (mkdtemp: mode 0700), under
/// the system's temporary directory, for the commands that load plugins.
enum PrivateTemporaryDirectory {
    /// Creates `<tmp>/<prefix>-XXXXXX` and returns its path.
    ///
    /// - Throws: `ValidationError` naming the system's reason.
    static func make(prefix: String) throws -> String {
        let temporary = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        var template = Array((temporary + prefix + "-XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else {
            throw ValidationError("cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: path)
    }
}
