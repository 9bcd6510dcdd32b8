import Foundation

/// An HTTP service on 127.0.0.1 (a free port) that records every request and
/// answers as told: 200 by default, or scripted replies (errors,
/// `Retry-After`, a reply that never comes). It can go down and come back on
/// the same port. The tests observe HTTP clients and plugins with it; the
/// demo runs it as the order-confirmation service.
public final class HTTPRecordingServer: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.

    /// One request as received.
    public typealias Request = LoopbackHTTPRequest
    /// How to answer one request.
    public typealias Reply = LoopbackHTTPReply

    private let lock = NSLock()
    private var recorded: [Request] = []
    private var scripted: [Reply] = []
    private var fallback: Reply = .ok
    private var responder: (@Sendable (Request) -> Reply?)?
    private var observer: (@Sendable (Request) -> Void)?
    private var server: LoopbackHTTPServer?

    /// Starts listening on `port` of 127.0.0.1 (0: a free port).
    public init(port: UInt16 = 0) throws {
        server = try LoopbackHTTPServer(port: port) { [weak self] request in self?.answer(request) ?? .close }
    }

    deinit { stop() }

    private var listening: LoopbackHTTPServer { lock.withLock { server! } }

    /// The port it listens on (kept across ``goDown()``/``comeBack()``).
    public var port: UInt16 { listening.port }
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { listening.baseURL }

    /// Every request received so far, in arrival order.
    public var requests: [Request] { lock.withLock { recorded } }
    /// How many requests arrived.
    public var requestCount: Int { lock.withLock { recorded.count } }
    /// How many connections were accepted since start.
    public var acceptedConnections: Int { listening.acceptedConnections }

    /// The next requests get these replies, one each, before the default.
    public func enqueue(_ replies: [Reply]) { lock.withLock { scripted.append(contentsOf: replies) } }
    /// The reply when nothing is scripted (initially ``LoopbackHTTPReply/ok``).
    public func setDefault(_ reply: Reply) { lock.withLock { fallback = reply } }
    /// Decides replies per request, before the script; nil from it means "use the script/default".
    public func setResponder(_ responder: (@Sendable (Request) -> Reply?)?) { lock.withLock { self.responder = responder } }
    /// Called with every request as it is recorded (the demo prints them).
    public func setObserver(_ observer: (@Sendable (Request) -> Void)?) { lock.withLock { self.observer = observer } }
    /// Forgets the recorded requests (the accept count stays).
    public func clearRecorded() { lock.withLock { recorded.removeAll() } }

    /// Closes the listener and every open connection: clients get
    /// "connection refused" until ``comeBack()``.
    public func goDown() { listening.goDown() }

    /// Listens again on the same port after ``goDown()``.
    public func comeBack() throws { try listening.comeBack() }

    /// Stops for good (also done on release).
    public func stop() {
        let stopping = lock.withLock { server }
        stopping?.stop()
    }

    private func answer(_ request: Request) -> Reply {
        let (reply, notify) = lock.withLock { () -> (Reply, (@Sendable (Request) -> Void)?) in
            recorded.append(request)
            if let custom = responder?(request) { return (custom, self.observer) }
            return (scripted.isEmpty ? fallback : scripted.removeFirst(), self.observer)
        }
        notify?(request)
        return reply
    }
}
