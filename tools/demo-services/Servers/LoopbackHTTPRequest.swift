import Foundation

/// One HTTP/1.1 request as a ``LoopbackHTTPServer`` read it off a socket.
public struct LoopbackHTTPRequest: Sendable {
    /// The method, e.g. `POST`.
    public let method: String
    /// The request target: path and query, as sent.
    public let target: String
    /// The headers in order, names as sent.
    public let headers: [(name: String, value: String)]
    /// The body bytes (de-chunked).
    public let body: [UInt8]
    /// The accepted connection (1-based, in accept order) that carried it.
    public let connection: Int
    /// When its last byte arrived.
    public let receivedAt: Date

    /// The path without the query.
    public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
    /// The query string after `?`, or empty.
    public var query: String {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count > 1 ? String(parts[1]) : ""
    }
    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
    /// Whether the client asked to close the connection after this exchange.
    public var wantsClose: Bool { header("connection")?.lowercased() == "close" }

    /// The first header called `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
