#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates a state store's directory and its missing parents (mode 0700:
/// the state is the agents' data), with an operator's error when one cannot
/// be made (a file in the way, no permission).
enum StateDirectory {
    static func create(_ path: String) throws(StateStoreError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + String(component)
            if mkdir(prefix, 0o700) == 0 { continue }
            let cause = errno
            guard cause == EEXIST else {
                throw StateStoreError("state store \(path): cannot create directory \(prefix) (\(String(cString: strerror(cause))))")
            }
            var status = stat()
            guard stat(prefix, &status) == 0, (status.st_mode & mode_t(S_IFMT)) == mode_t(S_IFDIR) else {
                throw StateStoreError("state store \(path): cannot create directory \(prefix): a file that is not a directory is in the way")
            }
        }
    }
}
