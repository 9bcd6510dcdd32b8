import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1, the base of the demo's and the
/// tests' stand-in services: one thread per connection, keep-alive, every
/// request answered by `handler`. It can go down (listener and connections
/// closed: clients get "connection refused") and come back on the same port.
///
/// Not a general server: just enough to answer and observe HTTP clients
/// (libcurl) on loopback.
public final class LoopbackHTTPServer: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.

    /// Answers one request; called on the connection's thread.
    public typealias Handler = @Sendable (LoopbackHTTPRequest) -> LoopbackHTTPReply

    private let lock = NSLock()
    private let handler: Handler
    private var listener: Int32 = -1
    private var connections: Set<Int32> = []
    private var accepted = 0
    private var stopped = false

    /// The port it listens on (kept across ``goDown()``/``comeBack()``).
    public private(set) var port: UInt16 = 0

    /// Starts listening on `port` of 127.0.0.1 (0: a free port).
    public init(port: UInt16 = 0, handler: @escaping Handler) throws {
        self.handler = handler
        try listen(on: port)
    }

    deinit { stop() }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// How many connections were accepted since start.
    public var acceptedConnections: Int { lock.withLock { accepted } }
    /// Whether it is listening.
    public var isUp: Bool { lock.withLock { listener >= 0 } }

    /// Closes the listener and every open connection.
    public func goDown() {
        let (listening, open) = lock.withLock { () -> (Int32, Set<Int32>) in
            defer { listener = -1; connections.removeAll() }
            return (listener, connections)
        }
        // shutdown() wakes the threads blocked in accept()/recv(); each closes its own descriptor.
        if listening >= 0 { shutdown(listening, Int32(SHUT_RDWR)) }
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Listens again on the same port after ``goDown()`` (nothing when up or stopped).
    public func comeBack() throws {
        guard lock.withLock({ listener < 0 && !stopped }) else { return }
        try listen(on: port)
    }

    /// Stops for good (also done on release).
    public func stop() {
        lock.withLock { stopped = true }
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
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        lock.withLock {
            listener = fd
            port = UInt16(bigEndian: address.sin_port)
        }
        Thread.detachNewThread { [self] in acceptLoop(fd) }
    }

    private func acceptLoop(_ listening: Int32) {
        defer { close(listening) }
        while true {
            let fd = accept(listening, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return // shut down by goDown()
            }
            let number: Int? = lock.withLock {
                guard listener == listening, !stopped else { return nil }
                accepted += 1
                connections.insert(fd)
                return accepted
            }
            guard let number else { close(fd); return }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            Thread.detachNewThread { [self] in serve(fd, number: number) }
        }
    }

    // MARK: One connection

    private func serve(_ fd: Int32, number: Int) {
        defer {
            lock.withLock { _ = connections.remove(fd) }
            close(fd)
        }
        let connection = LoopbackHTTPConnection(fd: fd, number: number)
        while let request = connection.readRequest() {
            let reply = handler(request)
            // A server that went down meanwhile answers nothing more on this connection.
            guard lock.withLock({ connections.contains(fd) }) else { return }
            switch reply {
            case .close:
                return
            case .hang:
                connection.swallowUntilClosed()
                return
            case .respond(let status, let headers, let body):
                let closeAfter = request.wantsClose
                guard connection.write(status: status, headers: headers, body: body, close: closeAfter),
                      !closeAfter else { return }
            }
        }
    }
}
