import Foundation

/// Where the host reads and writes records.
public enum BrokerAddress: Sendable, Equatable, CustomStringConvertible {
    /// `memory://`: the embedded in-process transport, the default.
    case memory
    /// `kafka://host:port[,host:port...]`: a Kafka cluster, by its bootstrap
    /// servers as `host:port` (IPv6 hosts in brackets: `[::1]:9092`).
    case kafka([String])

    /// The scheme text of the embedded transport.
    static let memoryText = "memory://"
    /// The scheme prefix of Kafka addresses.
    static let kafkaPrefix = "kafka://"
    /// How a valid address looks, for error messages.
    static let shape = "memory:// or kafka://host:port[,host:port...]"

    /// Parses `memory://` or `kafka://host:port[,host:port...]` (surrounding
    /// whitespace ignored). Errors use the key "broker" and no file.
    public init(parsing text: String) throws(ConfigurationError) {
        self = try Self.parse(text, file: nil, key: "broker")
    }

    /// The URL form, e.g. `kafka://a:9092,b:9092`; parsing it gives back this address.
    public var description: String {
        switch self {
        case .memory: return Self.memoryText
        case .kafka(let servers): return Self.kafkaPrefix + servers.joined(separator: ",")
        }
    }

    /// librdkafka's `bootstrap.servers` for a Kafka address; nil for memory.
    public var bootstrapServers: String? {
        if case .kafka(let servers) = self { return servers.joined(separator: ",") }
        return nil
    }

    /// Parses `text`, naming `file` and `key` in errors.
    static func parse(_ text: String, file: String?, key: String) throws(ConfigurationError) -> BrokerAddress {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func failure(_ expected: String) -> ConfigurationError {
            ConfigurationError(file: file, key: key, expected: expected, found: ConfigurationError.quoted(text))
        }
        let lowered = trimmed.lowercased()
        if lowered == memoryText { return .memory }
        if lowered.hasPrefix(memoryText) { throw failure("memory:// with nothing after it") }
        guard lowered.hasPrefix(kafkaPrefix) else { throw failure(shape) }
        let list = trimmed.dropFirst(kafkaPrefix.count)
        guard !list.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw failure("at least one host:port after kafka://")
        }
        var servers: [String] = []
        for piece in list.split(separator: ",", omittingEmptySubsequences: false) {
            let server = piece.trimmingCharacters(in: .whitespaces)
            guard !server.isEmpty else { throw failure("a host:port between every pair of commas") }
            let (host, port) = splitHostPort(server)
            guard isValidHost(host) else {
                throw failure("a host name or address (IPv6 in brackets) before the port in \"\(server)\"")
            }
            guard let port else { throw failure("a port after the host (kafka://\(host):9092)") }
            guard port.allSatisfy(\.isASCIIDigit), let number = Int(port), (1...65535).contains(number) else {
                throw failure("a port number from 1 to 65535 after \"\(host):\"")
            }
            servers.append("\(host):\(number)")
        }
        return .kafka(servers)
    }

    /// `host:port` → (host, port); `[v6]:port` keeps the brackets on the host;
    /// no colon (outside brackets) → port nil.
    private static func splitHostPort(_ server: String) -> (host: String, port: String?) {
        if server.hasPrefix("["), let close = server.firstIndex(of: "]") {
            let host = String(server[...close])
            let rest = server[server.index(after: close)...]
            guard rest.hasPrefix(":") else { return (rest.isEmpty ? host : server, nil) }
            return (host, String(rest.dropFirst()))
        }
        guard let colon = server.lastIndex(of: ":") else { return (server, nil) }
        return (String(server[..<colon]), String(server[server.index(after: colon)...]))
    }

    /// A DNS name or IPv4 address (letters, digits, `-._`), or an IPv6 address in brackets.
    private static func isValidHost(_ host: String) -> Bool {
        if host.hasPrefix("[") {
            let inner = host.dropFirst().dropLast()
            return host.hasSuffix("]") && !inner.isEmpty
                && inner.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        return !host.isEmpty && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
    }
}
