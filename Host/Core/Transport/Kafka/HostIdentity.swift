import Foundation

/// The identity of one host installation, kept in `<data_directory>/host-id`:
/// created once (a random UUID) and read on every start, so a host that
/// restarts, after a crash too, is the same member to the brokers.
public enum HostIdentity {
    /// The file's name inside the data directory.
    public static let fileName = "host-id"

    /// The identity kept in `dataDirectory`, created there on first use.
    ///
    /// - Throws: `KafkaError` naming the file when it can be neither read nor created.
    public static func load(dataDirectory: String) throws(KafkaError) -> String {
        let path = dataDirectory + "/" + fileName
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let identity = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard isValid(identity) else {
                throw KafkaError("\(path): expected a host identity of 1-64 characters from [A-Za-z0-9._-], "
                                 + "found \"\(identity.prefix(80))\"; delete the file to create a new one")
            }
            return identity
        }
        let identity = UUID().uuidString.lowercased()
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            try (identity + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw KafkaError("\(path): cannot create the host identity: \(error.localizedDescription)")
        }
        return identity
    }

    static func isValid(_ identity: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        return (1...64).contains(identity.count) && identity.allSatisfy(allowed.contains)
    }
}
