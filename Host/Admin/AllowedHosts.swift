/// The `Host` header values the admin API answers to when it listens on
/// loopback: a loopback name or the configured host, with the listening port.
///
/// This defeats DNS rebinding: a page at `http://evil.example:6066` whose
/// name is made to resolve to 127.0.0.1 reaches the API from the browser as
/// the same origin, but its requests carry `Host: evil.example:6066`.
struct AllowedHosts: Sendable {
    /// The names accepted whatever `admin.host` says.
    static let loopbackNames: Set<String> = ["127.0.0.1", "localhost", "::1"]

    /// Accepted names, lower-cased, without brackets.
    let names: Set<String>

    /// The loopback names and `configuredHost` (`admin.host`).
    init(configuredHost: String) {
        names = Self.loopbackNames.union([Self.bare(configuredHost)])
    }

    /// Whether `authority` (the `Host` header) names this API listening on `port`.
    /// The port may be left out only when it is 80, as HTTP clients do.
    func accepts(_ authority: String, port: Int) -> Bool {
        guard let (name, written) = Self.split(authority) else { return false }
        guard names.contains(Self.bare(name)) else { return false }
        if let written { return written == port }
        return port == 80
    }

    /// What the error message lists as accepted.
    func expected(port: Int) -> String {
        names.sorted().map { $0.contains(":") ? "[\($0)]:\(port)" : "\($0):\(port)" }.joined(separator: ", ")
    }

    /// `name` and `port` of `host[:port]` or `[v6][:port]`; nil when malformed.
    static func split(_ authority: String) -> (name: String, port: Int?)? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let name = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            if rest.isEmpty { return (name, nil) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()) else { return nil }
            return (name, port)
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (authority, nil)
        case 2:
            guard let port = Int(parts[1]) else { return nil }
            return (String(parts[0]), port)
        default: return nil
        }
    }

    /// Lower-cased, without the brackets of an IPv6 literal.
    private static func bare(_ host: String) -> String {
        var text = host.lowercased()
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        return text
    }
}
