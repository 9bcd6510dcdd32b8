import Foundation
import SluiceHost
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 written byte for byte over a TCP socket to 127.0.0.1, as a
/// browser or an attacker would send it: any `Host`, `Origin` or
/// `Sec-Fetch-Site`, a URL of any length, or a request never finished.
/// The blocking socket calls run on a thread of their own.
enum RawHTTP {
    /// A parsed answer.
    struct Answer: Sendable {
        let status: Int
        /// Header names lower-cased.
        let headers: [String: String]
        let body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        /// The `error` of a JSON error body.
        var errorMessage: String? {
            (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["error"] as? String
        }
    }

    /// Sends `method path` with `headers` (Host defaults to `127.0.0.1:port`)
    /// and `body`, with `Connection: close`, and reads the answer to its end.
    static func send(_ method: String, port: Int, _ path: String, headers: [(String, String)] = [],
                     body: String? = nil) async throws -> Answer {
        var lines = ["\(method) \(path) HTTP/1.1"]
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { lines.append("Host: 127.0.0.1:\(port)") }
        lines += headers.map { "\($0.0): \($0.1)" }
        if let body { lines.append("Content-Length: \(body.utf8.count)") }
        lines.append("Connection: close")
        let request = lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")
        let raw = try await exchange(port: port, Data(request.utf8))
        return try parse(raw)
    }

    /// Writes `request` as is and reads until the server closes (at most 30 s).
    static func exchange(port: Int, _ request: Data) async throws -> Data {
        try await DedicatedThread.run("raw-http") { () throws -> Data in
            let socket = try connect(port: port, receiveTimeout: 30)
            defer { close(socket) }
            try write(socket, request)
            return readToEnd(socket)
        }
    }

    /// A connected socket to 127.0.0.1:`port`; reads give up after `receiveTimeout` seconds.
    static func connect(port: Int, receiveTimeout: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ExchangeError("socket(): errno \(errno)") }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            let error = errno
            close(socket)
            throw ExchangeError("connect to 127.0.0.1:\(port): errno \(error)")
        }
        return socket
    }

    /// Writes all of `data` (a server that closed early is not an error: its answer is read next).
    static func write(_ socket: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var sent = 0
            while sent < bytes.count {
                let count = Glibc.send(socket, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                if count <= 0 {
                    if errno == EPIPE || errno == ECONNRESET { return }
                    throw ExchangeError("send: errno \(errno)")
                }
                sent += count
            }
        }
    }

    /// Everything until the server closes, or the receive timeout passes.
    static func readToEnd(_ socket: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }

    /// Status line, headers and body of a raw answer.
    static func parse(_ raw: Data) throws -> Answer {
        guard let separator = raw.range(of: Data("\r\n\r\n".utf8)) else {
            throw ExchangeError("no complete HTTP answer: \(String(decoding: raw, as: UTF8.self))")
        }
        let head = String(decoding: raw[..<separator.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw ExchangeError("malformed status line: \(head[0])")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(raw[separator.upperBound...])
        if let length = headers["content-length"].flatMap(Int.init), body.count > length { body = body.prefix(length) }
        return Answer(status: status, headers: headers, body: body)
    }
}
