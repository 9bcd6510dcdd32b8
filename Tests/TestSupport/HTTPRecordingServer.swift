import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 (a free port) for tests of HTTP
/// clients and plugins: it records every request, counts the connections it
/// accepted, and answers as told — 200 by default, or scripted replies
/// (errors, `Retry-After`, a reply that never comes), and it can go down and
/// come back on the same port.
///
/// One thread per connection, keep-alive, `Content-Length` bodies (what
/// libcurl sends). Not a general server: just enough to observe clients.
public final class HTTPRecordingServer: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.

    /// One request as received.
    public struct Request: Sendable {
        /// The method, e.g. `POST`.
        public let method: String
        /// The request target: path and query, as sent.
        public let target: String
        /// The headers in order, names as sent.
        public let headers: [(name: String, value: String)]
        /// The body bytes.
        public let body: [UInt8]
        /// The accepted connection (1-based, in accept order) that carried it.
        public let connection: Int
        /// When its last byte arrived.
        public let receivedAt: Date

        /// The path without the query.
        public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        /// The body as UTF-8 text.
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
        /// The first header called `name`, compared case-insensitively.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// How to answer one request.
    public enum Reply: Sendable {
        /// Answer with `status`, extra `headers` and `body`.
        case respond(status: Int, headers: [String: String] = [:], body: String = "")
        /// Never answer; keep the connection open until the client gives up.
        case hang
        /// Close the connection without answering.
        case close

        /// `200 OK` with body `ok`.
        public static let ok = Reply.respond(status: 200, body: "ok")
        /// A bare status, e.g. `.status(503)`.
        public static func status(_ status: Int, body: String = "") -> Reply { .respond(status: status, body: body) }
    }

    private let lock = NSLock()
    private var listener: Int32 = -1
    private var connections: [Int32: Bool] = [:]
    private var recorded: [Request] = []
    private var accepted = 0
    private var scripted: [Reply] = []
    private var fallback: Reply = .ok
    private var responder: (@Sendable (Request) -> Reply?)?
    private var stopped = false

    /// The port it listens on (kept across ``goDown()``/``comeBack()``).
    public private(set) var port: UInt16 = 0

    /// Starts listening on a free port of 127.0.0.1.
    public init() throws {
        try listen(on: 0)
    }

    deinit { stop() }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in arrival order.
    public var requests: [Request] { locked { recorded } }
    /// How many requests arrived.
    public var requestCount: Int { locked { recorded.count } }
    /// How many connections were accepted since start.
    public var acceptedConnections: Int { locked { accepted } }

    /// The next requests get these replies, one each, before the default.
    public func enqueue(_ replies: [Reply]) { locked { scripted.append(contentsOf: replies) } }
    /// The reply when nothing is scripted (initially ``Reply/ok``).
    public func setDefault(_ reply: Reply) { locked { fallback = reply } }
    /// Decides replies per request, before the script; nil from it means "use the script/default".
    public func setResponder(_ responder: (@Sendable (Request) -> Reply?)?) { locked { self.responder = responder } }
    /// Forgets the recorded requests (the accept count stays).
    public func clearRecorded() { locked { recorded.removeAll() } }

    /// Closes the listener and every open connection: clients get
    /// "connection refused" until ``comeBack()``.
    public func goDown() {
        let (fds, listening) = locked { () -> ([Int32], Int32) in
            let fds = Array(connections.keys)
            connections.removeAll()
            let listening = listener
            listener = -1
            return (fds, listening)
        }
        if listening >= 0 {
            shutdown(listening, Int32(SHUT_RDWR))
            close(listening)
        }
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Listens again on the same port after ``goDown()``.
    public func comeBack() throws {
        try listen(on: port)
    }

    /// Stops for good (also done on release).
    public func stop() {
        locked { stopped = true }
        goDown()
    }

    // MARK: Listening

    private func listen(on requestedPort: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = requestedPort.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        locked {
            listener = fd
            port = UInt16(bigEndian: actual.sin_port)
        }
        Thread.detachNewThread { [self] in acceptLoop(fd) }
    }

    private func acceptLoop(_ listening: Int32) {
        while true {
            let fd = accept(listening, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return // closed by goDown()
            }
            let number: Int? = locked {
                guard listener == listening, !stopped else { return nil }
                accepted += 1
                connections[fd] = true
                return accepted
            }
            guard let number else { close(fd); return }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            Thread.detachNewThread { [self] in serve(fd, connection: number) }
        }
    }

    // MARK: One connection

    private func serve(_ fd: Int32, connection: Int) {
        defer {
            locked { _ = connections.removeValue(forKey: fd) }
            close(fd)
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            // Read until a full request (head + Content-Length body) is buffered.
            var parsed: (request: Request, consumed: Int, closeAfter: Bool)?
            while true {
                parsed = parse(buffer, connection: connection)
                if parsed != nil { break }
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            guard let parsed else { return }
            let (request, consumed, closeAfter) = parsed
            buffer.removeFirst(consumed)
            let reply = locked { () -> Reply in
                recorded.append(request)
                if let custom = responder?(request) { return custom }
                return scripted.isEmpty ? fallback : scripted.removeFirst()
            }
            switch reply {
            case .close:
                return
            case .hang:
                // Swallow input until the client gives up (or goDown()).
                while chunk.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, 0) }) > 0 {}
                return
            case .respond(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
                for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
                let bodyBytes = Array(body.utf8)
                head += "Content-Length: \(bodyBytes.count)\r\n"
                if closeAfter { head += "Connection: close\r\n" }
                head += "\r\n"
                guard sendAll(fd, Array(head.utf8) + bodyBytes), !closeAfter else { return }
            }
        }
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// A complete request at the start of `buffer`, with the bytes it used.
    private func parse(_ buffer: [UInt8], connection: Int) -> (request: Request, consumed: Int, closeAfter: Bool)? {
        guard let headEnd = Self.find([13, 10, 13, 10], in: buffer) else { return nil }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                            String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        let bodyStart = headEnd + 4
        guard buffer.count >= bodyStart + length else { return nil }
        let closeAfter = headers.contains { $0.name.lowercased() == "connection" && $0.value.lowercased() == "close" }
        let request = Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers,
                              body: Array(buffer[bodyStart..<bodyStart + length]), connection: connection,
                              receivedAt: Date())
        return (request, bodyStart + length, closeAfter)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<start + needle.count]) == needle { return start }
        }
        return nil
    }

    private static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
