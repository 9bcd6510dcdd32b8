import SluicePluginKit
import SluiceSDK

/// Where the Redis server is: `redis://[[user]:password@]host[:port][/db]`.
///
/// The password is kept here only to send AUTH; ``redacted`` is the only form
/// that is ever logged or put into a reason.
struct RedisURL: Sendable, Equatable {
    /// Host name or address (IPv6 without brackets).
    let host: String
    /// TCP port (default 6379).
    let port: Int
    /// Database number for SELECT (default 0).
    let database: Int
    /// ACL user name, or nil for the default user.
    let user: String?
    /// Password for AUTH, or nil for none.
    let password: String?

    /// Parses `text`; the error never contains the password.
    init(parsing text: String) throws(ConfigurationError) {
        let scheme = "redis://"
        guard text.hasPrefix(scheme) else {
            if text.hasPrefix("rediss://") { throw ConfigurationError("'url': TLS (rediss://) is not supported by this plugin") }
            throw ConfigurationError("'url': expected redis://[user:password@]host:port/db")
        }
        var rest = Substring(text.dropFirst(scheme.count))
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let name = String(credentials[..<colon])
                user = name.isEmpty ? nil : try Self.percentDecoded(name)
                password = try Self.percentDecoded(String(credentials[credentials.index(after: colon)...]))
            } else if !credentials.isEmpty {
                // `redis://secret@host` is the common short form for a password alone.
                password = try Self.percentDecoded(String(credentials))
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else {
                    // Echo digits only: a misplaced password (`redis://default:pa/ss`) may be what is here.
                    throw ConfigurationError("'url': the database after '/' must be a number"
                        + Self.foundDigits(path) + Self.credentialsHint(hasCredentials: user != nil || password != nil))
                }
                database = number
            }
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw ConfigurationError("'url': unterminated IPv6 address") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw ConfigurationError("'url': unexpected text after the IPv6 address")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw ConfigurationError("'url': the host is missing") }
        var port = 6379
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                // Echo digits only: in `redis://default:SECRET` (no `@`) the "port" is a password.
                throw ConfigurationError("'url': the port must be 1-65535" + Self.foundDigits(portText)
                    + Self.credentialsHint(hasCredentials: user != nil || password != nil))
            }
            port = number
        }
        self.host = String(host)
        self.port = port
        self.database = database
        self.user = user
        self.password = password
    }

    /// `, found '<text>'` when `text` is only digits (an out-of-range number,
    /// never a secret), else `, found text that is not a number` — never the text itself.
    private static func foundDigits(_ text: Substring) -> String {
        !text.isEmpty && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber)
            ? ", found '\(text)'" : ", found text that is not a number (not repeated: it may be a password)"
    }

    /// A hint for a URL without `@`: credentials must end with one.
    private static func credentialsHint(hasCredentials: Bool) -> String {
        hasCredentials ? "" : "; credentials go before an '@': redis://user:password@host:port/db"
    }

    /// The URL with the password replaced by `***`: safe for logs.
    var redacted: String {
        var text = "redis://"
        if let user { text += user + (password != nil ? ":***" : "") + "@" } else if password != nil { text += ":***@" }
        text += host.contains(":") ? "[\(host)]" : host
        return text + ":\(port)/\(database)"
    }

    /// Decodes `%XX` escapes (so a password may contain `@` or `:`).
    private static func percentDecoded(_ text: String) throws(ConfigurationError) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(JSONStrings.hexValue),
                  let low = iterator.next().flatMap(JSONStrings.hexValue) else {
                throw ConfigurationError("'url': a '%' escape in the credentials is not followed by two hex digits")
            }
            bytes.append(UInt8(high << 4 | low))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
