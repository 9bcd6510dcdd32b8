import Foundation
import SluiceDemoServices

/// An OTLP/HTTP trace receiver on loopback: accepts `POST /v1/traces` with
/// `Content-Type: application/x-protobuf`, decodes each
/// `ExportTraceServiceRequest` and keeps its spans; answers 200 with an empty
/// `ExportTraceServiceResponse`. Anything else gets 404 or 415, and a body
/// that does not decode gets 400 (and is counted), as a collector would.
public final class OTLPTraceReceiver: @unchecked Sendable {
    // @unchecked: `received` and `refused` are only touched with `lock` held.
    private let lock = NSLock()
    private var received: [OTLPReceivedSpan] = []
    private var refused: [String] = []
    private var server: LoopbackHTTPServer!

    /// Listens on a free loopback port.
    public init() throws {
        server = try LoopbackHTTPServer { [weak self] request in
            self?.accept(request) ?? .status(503)
        }
    }

    /// The base URL to configure as the OTLP endpoint, e.g. `http://127.0.0.1:40125`.
    public var baseURL: String { server.baseURL }

    /// Every span received so far.
    public var spans: [OTLPReceivedSpan] { lock.withLock { received } }

    /// Requests refused so far (method, path or content type wrong, or a body that did not decode), with why.
    public var refusals: [String] { lock.withLock { refused } }

    /// Stops listening.
    public func stop() { server.stop() }

    private func accept(_ request: LoopbackHTTPRequest) -> LoopbackHTTPReply {
        guard request.method == "POST", request.path == "/v1/traces" else {
            lock.withLock { refused.append("\(request.method) \(request.path)") }
            return .status(404)
        }
        guard request.header("content-type")?.lowercased() == "application/x-protobuf" else {
            lock.withLock { refused.append("content type \(request.header("content-type") ?? "none")") }
            return .status(415)
        }
        do {
            let spans = try OTLPReceivedSpan.decodeExportRequest(request.body)
            lock.withLock { received += spans }
            return .respond(status: 200, headers: ["Content-Type": "application/x-protobuf"], body: "")
        } catch {
            lock.withLock { refused.append("undecodable body: \(error)") }
            return .status(400)
        }
    }
}
