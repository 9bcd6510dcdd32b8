/// A response received in full.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public let status: Int
    /// The headers of the final response (not of `100 Continue` or of redirects), in order.
    public let headers: [HTTPHeader]
    /// The body, decoded if the server compressed it.
    public let body: [UInt8]

    /// A response with these parts.
    public init(status: Int, headers: [HTTPHeader], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header called `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// True for 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
