import SluiceSDK

extension HTTPAgentConfiguration {
    /// The keys of the http agent's `config:`: the descriptor's
    /// `config_schema`, the strict check before decoding, and the table in
    /// docs/plugins/http.md (compared by a test).
    static let spec = ConfigurationSpec {
        ConfigurationKey("url", .string(minLength: 1), required: true,
                         doc: "URL template. `{field}` is replaced by the record's field, **percent-escaped** (everything but `A–Z a–z 0–9 - . _ ~`), so a value cannot add path segments or a query (see [What a record may reach](#what-a-record-may-reach)). Nested fields: `{customer.id}`. A `user:password@` in the URL is sent as basic auth and logged as `user:***@`.")
        ConfigurationKey("method", .string(minLength: 1), default: "POST",
                         doc: "Any method (`PUT`, `PATCH`, `DELETE`, `GET`, …).")
        ConfigurationKey("headers", .mapping, default: [:],
                         doc: "Extra headers. `${NAME}` in a value is replaced by environment variable `NAME` when the agent starts; a missing variable fails `create` with a message naming the header and the variable. Header **values are never logged** (the start-up log line lists names only). `Content-Type: application/json` is added unless you set one.")
        ConfigurationKey("body", .any,
                         doc: "Any JSON (YAML) value used as a template (see [Request bodies](#request-bodies)); without it, the order confirmation. A string that is exactly one placeholder (`\"{quantity}\"`) takes the field's value **with its JSON type** (a number stays a number, an object stays an object); other strings with placeholders become strings (`\"Order: {quantity} shares of {symbol}\"`). `{{` and `}}` are literal braces.")
        ConfigurationKey("passthrough", .boolean, default: false,
                         doc: "`true`: send the record's value unchanged as the body (no template; the value need not be JSON unless the URL has fields). Excludes `body`.")
        ConfigurationKey("max_in_flight_requests", .integer(1...1024), default: 8,
                         doc: "Requests in flight at once for the agent, and connections per host. Further requests wait in the client's queue.")
        ConfigurationKey("timeout_ms", .integer(atLeast: 1), default: 30_000,
                         doc: "Whole-request timeout, in milliseconds.")
        ConfigurationKey("connect_timeout_ms", .integer(atLeast: 1), default: 5_000,
                         doc: "Connect (TCP + TLS) timeout, in milliseconds.")
        ConfigurationKey("max_retry_after_ms", .integer(atLeast: 0), default: 30_000,
                         doc: "The longest `Retry-After` honoured, in milliseconds; longer ones are cut to it.")
        ConfigurationKey("http2", .boolean, default: true,
                         doc: "Negotiate HTTP/2 over TLS (ALPN) and multiplex when the server offers it. `http://` stays HTTP/1.1.")
    }
}
