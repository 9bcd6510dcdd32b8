/// How a ``LoopbackHTTPServer`` answers one request.
public enum LoopbackHTTPReply: Sendable {
    /// Answer with `status`, extra `headers` and `body` (`Content-Length` is added).
    case respond(status: Int, headers: [String: String] = [:], body: String = "")
    /// Never answer; keep the connection open until the client gives up.
    case hang
    /// Close the connection without answering.
    case close

    /// `200 OK` with body `ok`.
    public static let ok = LoopbackHTTPReply.status(200, body: "ok")
    /// A status with a text body, e.g. `.status(503)`.
    public static func status(_ status: Int, headers: [String: String] = [:], body: String = "") -> LoopbackHTTPReply {
        .respond(status: status, headers: headers, body: body)
    }

    /// The standard reason phrase of a status (clients ignore it, logs do not).
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
