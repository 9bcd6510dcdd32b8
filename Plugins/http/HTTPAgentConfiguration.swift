import Foundation
import SluicePluginKit
import SluiceSDK

/// The http agent's `config:` (see docs/plugins/http.md), declared in
/// ``spec`` (HTTPAgentConfiguration+Spec.swift), which refuses unknown keys,
/// wrong types and out-of-range values and fills in defaults before this
/// decodes. Every key is optional except `url`; the defaults send the Faust
/// order confirmation.
struct HTTPAgentConfiguration: DeclaredConfiguration {
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

    /// Checks what the declaration cannot: the URL's form, the method, header names, body xor passthrough.
    func validate() throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ConfigurationError("'url' must start with http:// or https://")
        }
        if let field = URLTemplate(url).fieldInAuthority {
            throw ConfigurationError("'url': the field '{\(field)}' is in the host; a record may fill the path or the query, never choose the server")
        }
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter }) else { throw ConfigurationError("'method' must be a word like POST") }
        if passthrough && body != nil { throw ConfigurationError("set either 'body' or 'passthrough: true', not both") }
        for name in headers.keys where name.isEmpty || name.contains(where: { $0 == ":" || $0.isWhitespace }) {
            throw ConfigurationError("header name '\(name)' is not valid")
        }
    }
}
