import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads requests from and writes responses to one connected socket, with
/// keep-alive (several requests in a row), `Content-Length` and chunked
/// bodies, and `Expect: 100-continue` (libcurl waits for it before large bodies).
final class LoopbackHTTPConnection {
    private let fd: Int32
    private let number: Int
    private var buffer: [UInt8] = []

    init(fd: Int32, number: Int) {
        self.fd = fd
        self.number = number
    }

    /// The next request, or nil when the peer closed the connection or sent
    /// something that is not HTTP/1.1 (the connection is then dropped).
    func readRequest() -> LoopbackHTTPRequest? {
        guard let headerEnd = readUntilHeaderEnd() else { return nil }
        let headText = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((line[..<colon].trimmingCharacters(in: .whitespaces),
                            line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name }?.value }
        if header("expect")?.lowercased() == "100-continue" {
            guard writeAll(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return nil }
        }
        let body: [UInt8]
        if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            guard let chunked = readChunkedBody() else { return nil }
            body = chunked
        } else {
            guard let plain = readExactly(Int(header("content-length") ?? "0") ?? 0) else { return nil }
            body = plain
        }
        return LoopbackHTTPRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers,
                                   body: body, connection: number, receivedAt: Date())
    }

    /// Writes a response; false when the peer is gone.
    func write(status: Int, headers: [String: String], body: String, close: Bool) -> Bool {
        let bodyBytes = Array(body.utf8)
        var head = "HTTP/1.1 \(status) \(LoopbackHTTPReply.reasonPhrase(status))\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(bodyBytes.count)\r\n"
        if close { head += "Connection: close\r\n" }
        head += "\r\n"
        return writeAll(Array(head.utf8) + bodyBytes)
    }

    /// Reads and drops input until the peer closes (a reply that never comes).
    func swallowUntilClosed() {
        while fill() { buffer.removeAll(keepingCapacity: true) }
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received < 0 && errno == EINTR { continue }
            guard received > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<received])
            return true
        }
    }

    private func readUntilHeaderEnd() -> Int? {
        let marker: [UInt8] = [13, 10, 13, 10]
        var searchFrom = 0
        while true {
            var index = searchFrom
            while index + 4 <= buffer.count {
                if buffer[index] == marker[0] && buffer[index + 1] == marker[1]
                    && buffer[index + 2] == marker[2] && buffer[index + 3] == marker[3] { return index }
                index += 1
            }
            searchFrom = max(0, buffer.count - 3)
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
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
