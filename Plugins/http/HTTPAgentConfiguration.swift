import Foundation
import SluicePluginKit
import SluiceSDK

/// The http agent's `config:` (see docs/plugins/http.md). Every key is
/// optional except `url`; the defaults send the Faust order confirmation.
struct HTTPAgentConfiguration: Decodable, Sendable {
    /// The HTTP method. Default `POST`.
    var method = "POST"
    /// The URL template: `{field}` placeholders are replaced by the record's
    /// fields, percent-escaped. Required.
    var url = ""
    /// Extra headers; `${NAME}` in a value is replaced by environment variable
    /// NAME when the agent starts (values are never logged).
    var headers: [String: String] = [:]
    /// The body template (any JSON; string values may hold `{field}`s).
    /// Default: ``BodyTemplate/orderConfirmation``. Compiled into a ``BodyTemplate`` at start.
    var body: JSONValue?
    /// Send the record's value as the body, unchanged, instead of a template.
    var passthrough = false
    /// The most requests in flight at once for this agent (and connections per host).
    var maxInFlightRequests = 8
    /// The whole-request timeout in milliseconds.
    var timeoutMilliseconds = 30_000
    /// The connect timeout in milliseconds.
    var connectTimeoutMilliseconds = 5_000
    /// The longest `Retry-After` honoured, in milliseconds (longer ones are cut to it).
    var maxRetryAfterMilliseconds = 30_000
    /// Negotiate HTTP/2 over TLS when the server offers it.
    var http2 = true

    enum CodingKeys: String, CodingKey {
        case method, url, headers, body, passthrough, http2
        case maxInFlightRequests = "max_in_flight_requests"
        case timeoutMilliseconds = "timeout_ms"
        case connectTimeoutMilliseconds = "connect_timeout_ms"
        case maxRetryAfterMilliseconds = "max_retry_after_ms"
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        method = try container.decodeIfPresent(String.self, forKey: .method) ?? method
        url = try container.decodeIfPresent(String.self, forKey: .url) ?? url
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? headers
        body = try container.decodeIfPresent(JSONValue.self, forKey: .body)
        passthrough = try container.decodeIfPresent(Bool.self, forKey: .passthrough) ?? passthrough
        maxInFlightRequests = try container.decodeIfPresent(Int.self, forKey: .maxInFlightRequests) ?? maxInFlightRequests
        timeoutMilliseconds = try container.decodeIfPresent(Int.self, forKey: .timeoutMilliseconds) ?? timeoutMilliseconds
        connectTimeoutMilliseconds = try container.decodeIfPresent(Int.self, forKey: .connectTimeoutMilliseconds)
            ?? connectTimeoutMilliseconds
        maxRetryAfterMilliseconds = try container.decodeIfPresent(Int.self, forKey: .maxRetryAfterMilliseconds)
            ?? maxRetryAfterMilliseconds
        http2 = try container.decodeIfPresent(Bool.self, forKey: .http2) ?? http2
    }

    /// Checks what decoding cannot.
    func validate() throws {
        guard !url.isEmpty else { throw ConfigurationError("'url' is required (e.g. http://mail.internal:8025/send)") }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ConfigurationError("'url' must start with http:// or https://")
        }
        if let field = URLTemplate(url).fieldInAuthority {
            throw ConfigurationError("'url': the field '{\(field)}' is in the host; a record may fill the path or the query, never choose the server")
        }
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter }) else { throw ConfigurationError("'method' must be a word like POST") }
        guard (1...1024).contains(maxInFlightRequests) else { throw ConfigurationError("'max_in_flight_requests' must be 1…1024") }
        guard timeoutMilliseconds > 0, connectTimeoutMilliseconds > 0 else {
            throw ConfigurationError("'timeout_ms' and 'connect_timeout_ms' must be positive")
        }
        guard maxRetryAfterMilliseconds >= 0 else { throw ConfigurationError("'max_retry_after_ms' must not be negative") }
        if passthrough && body != nil { throw ConfigurationError("set either 'body' or 'passthrough: true', not both") }
        for name in headers.keys where name.isEmpty || name.contains(where: { $0 == ":" || $0.isWhitespace }) {
            throw ConfigurationError("header name '\(name)' is not valid")
        }
    }
}
