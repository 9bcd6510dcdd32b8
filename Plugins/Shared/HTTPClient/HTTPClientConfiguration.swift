/// How an ``HTTPClient`` connects and how long it waits.
public struct HTTPClientConfiguration: Sendable {
    /// The most connections per host, and the most requests in flight at once
    /// (further requests wait in the client's queue).
    public var maxConnections: Int = 8
    /// How long establishing a connection (TCP and TLS) may take.
    public var connectTimeout: Duration = .seconds(5)
    /// How long a whole request may take, connecting included.
    public var requestTimeout: Duration = .seconds(30)
    /// Negotiate HTTP/2 over TLS (ALPN) and multiplex requests over one
    /// connection when the server offers it. Plain `http://` stays HTTP/1.1
    /// unless ``http2PriorKnowledge`` is set.
    public var allowHTTP2: Bool = true
    /// Speak HTTP/2 to plain `http://` servers without negotiation (h2c with
    /// prior knowledge). Only for servers known to support it.
    public var http2PriorKnowledge: Bool = false
    /// Compress non-empty request bodies with gzip and send `Content-Encoding: gzip`.
    public var gzipRequests: Bool = false
    /// Called on the client's thread with the number of connections a
    /// finished transfer opened (libcurl's `CURLINFO_NUM_CONNECTS`; 0 is not
    /// reported), so a plugin can publish them, by convention as the counter
    /// `http_connections_opened` (`sluice_plugin_http_connections_opened` on
    /// `/metrics`). Kept-alive connections make this stay at most
    /// ``maxConnections`` while the server keeps them open. Keep it cheap.
    public var connectionsOpened: (@Sendable (Int) -> Void)?

    /// The defaults: 8 connections, 5 s connect timeout, 30 s request timeout,
    /// HTTP/2 when offered over TLS, no request compression, connections
    /// not reported.
    public init() {}
}
