/// One request for ``HTTPClient/perform(_:)``.
public struct HTTPRequest: Sendable {
    /// The method, e.g. `"GET"`, `"POST"`, `"PUT"`, `"DELETE"`, `"HEAD"`.
    public var method: String
    /// The absolute URL (`http://` or `https://`), already escaped.
    public var url: String
    /// Headers sent in addition to libcurl's own (`Host`, `Content-Length`, `Accept-Encoding`).
    public var headers: [HTTPHeader]
    /// The body; sent when non-empty, or always for POST, PUT and PATCH.
    public var body: [UInt8]

    /// A request; `GET` with no headers and no body by default.
    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
