import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 request as the stand-in read it off a socket.
struct StandInHTTPRequest {
    /// `GET`, `PUT`, `POST`, ...
    let method: String
    /// The path without the query string, e.g. `/docs/_search`.
    let path: String
    /// The query string after `?`, or empty.
    let query: String
    /// Header names lower-cased.
    let headers: [String: String]
    /// The body (de-chunked).
    let body: [UInt8]

    /// Whether the client asked to close the connection after this exchange.
    var wantsClose: Bool { headers["connection"]?.lowercased() == "close" }
}

/// One response the stand-in writes: a status and a JSON body.
struct StandInHTTPResponse {
    let status: Int
    let body: [UInt8]

    /// The standard reason phrase of a status (clients ignore it, logs do not).
    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 429: "Too Many Requests"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// Reads requests from and writes responses to one connected socket, with
/// keep-alive: several requests in a row on the same connection.
final class StandInHTTPConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    /// The next request, or nil when the peer closed the connection or sent
    /// something that is not HTTP/1.1 (the connection is then dropped).
    func readRequest() -> StandInHTTPRequest? {
        guard let headerEnd = readUntilHeaderEnd() else { return nil }
        let headText = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        // libcurl waits (up to a second) for this before sending large bodies.
        if headers["expect"]?.lowercased() == "100-continue" {
            guard writeAll(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return nil }
        }
        let body: [UInt8]
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let chunked = readChunkedBody() else { return nil }
            body = chunked
        } else {
            let length = Int(headers["content-length"] ?? "0") ?? 0
            guard let plain = readExactly(length) else { return nil }
            body = plain
        }
        let target = String(requestLine[1])
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return StandInHTTPRequest(method: String(requestLine[0]), path: String(parts[0]),
                                  query: parts.count > 1 ? String(parts[1]) : "", headers: headers, body: body)
    }

    /// Writes a JSON response; false when the peer is gone.
    func write(_ response: StandInHTTPResponse, close: Bool) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(StandInHTTPResponse.reason(response.status))\r\n"
        head += "Content-Type: application/json; charset=UTF-8\r\n"
        head += "X-elastic-product: Elasticsearch\r\n"
        head += "Content-Length: \(response.body.count)\r\n"
        if close { head += "Connection: close\r\n" }
        head += "\r\n"
        return writeAll(Array(head.utf8) + response.body)
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard received > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<received])
        return true
    }

    private func readUntilHeaderEnd() -> Int? {
        let marker: [UInt8] = [13, 10, 13, 10]
        var searchFrom = 0
        while true {
            if buffer.count >= 4 {
                var index = searchFrom
                while index + 4 <= buffer.count {
                    if buffer[index] == marker[0] && buffer[index + 1] == marker[1]
                        && buffer[index + 2] == marker[2] && buffer[index + 3] == marker[3] { return index }
                    index += 1
                }
                searchFrom = max(0, buffer.count - 3)
            }
            guard buffer.count < 1 << 20, fill() else { return nil }
        }
    }

    private func readExactly(_ count: Int) -> [UInt8]? {
        while buffer.count < count { guard fill() else { return nil } }
        let bytes = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return bytes
    }

    private func readLine() -> String? {
        while true {
            if let cr = buffer.firstIndex(of: 13), cr + 1 < buffer.count, buffer[cr + 1] == 10 {
                let line = String(decoding: buffer[0..<cr], as: UTF8.self)
                buffer.removeFirst(cr + 2)
                return line
            }
            guard fill() else { return nil }
        }
    }

    private func readChunkedBody() -> [UInt8]? {
        var body: [UInt8] = []
        while true {
            guard let sizeLine = readLine(),
                  let size = Int(sizeLine.split(separator: ";").first.map(String.init) ?? "", radix: 16) else { return nil }
            if size == 0 {
                // Trailers, then the empty line.
                while let trailer = readLine() { if trailer.isEmpty { return body } }
                return nil
            }
            guard let chunk = readExactly(size), readLine() != nil else { return nil }
            body += chunk
        }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
