import Foundation
import SluiceHTTPClient

/// Builds the HTTP requests of InfluxDB's v1 API for one configured server and
/// database. Every value is percent-encoded; credentials travel only in the
/// `Authorization` header, never in a URL (URLs may end up in logs).
public struct InfluxEndpoint: Sendable {
    /// The base URL without a trailing slash.
    public let baseURL: String
    /// The database.
    public let database: String
    /// A retention policy for writes, or nil.
    public let retentionPolicy: String?
    private let authorization: String?

    /// An endpoint for `baseURL` and `database`, with optional basic auth.
    public init(baseURL: String, database: String, retentionPolicy: String? = nil, username: String? = nil, password: String? = nil) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.database = database
        self.retentionPolicy = retentionPolicy
        if let username {
            authorization = "Basic " + Data("\(username):\(password ?? "")".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
    }

    private var commonHeaders: [HTTPHeader] {
        authorization.map { [HTTPHeader("Authorization", $0)] } ?? []
    }

    /// `POST /query` with `db`, `q` and `params` as a form body (a POST keeps
    /// long multi-statement queries out of the URL).
    public func queryRequest(_ query: PriceQuery) -> HTTPRequest {
        let form = [("db", database), ("q", query.text), ("params", query.parameters)]
            .map { "\($0)=\(Self.percentEncoded($1))" }.joined(separator: "&")
        return HTTPRequest(method: "POST", url: baseURL + "/query",
                           headers: commonHeaders + [HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                                                     HTTPHeader("Accept", "application/json")],
                           body: Array(form.utf8))
    }

    /// `POST /write?db=…&precision=…` with `lines`, newline-separated.
    public func writeRequest(lines: [String], precision: Precision) -> HTTPRequest {
        var body: [UInt8] = []
        body.reserveCapacity(lines.reduce(0) { $0 + $1.utf8.count + 1 })
        for line in lines {
            body.append(contentsOf: line.utf8)
            body.append(0x0A)
        }
        return writeRequest(body: body, precision: precision)
    }

    /// `POST /write?db=…&precision=…` with `body`: lines of line protocol, each ending with a newline.
    public func writeRequest(body: [UInt8], precision: Precision) -> HTTPRequest {
        var url = baseURL + "/write?db=" + Self.percentEncoded(database) + "&precision=" + precision.queryValue
        if let retentionPolicy { url += "&rp=" + Self.percentEncoded(retentionPolicy) }
        return HTTPRequest(method: "POST", url: url,
                           headers: commonHeaders + [HTTPHeader("Content-Type", "text/plain; charset=utf-8")], body: body)
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    public static func percentEncoded(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
