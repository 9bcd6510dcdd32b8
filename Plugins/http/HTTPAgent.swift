import Foundation
import SluiceHTTPClient
import SluicePluginKit
import SluiceSDK

/// The order-confirmation agent (Faust's aiohttp example): for every record
/// it sends one HTTP request built from the configuration's templates, over
/// the shared client's kept-alive connections.
///
/// Each batch is answered PENDING: the host keeps consuming while the
/// requests are in flight (at most `max_in_flight_requests` at once), and
/// the batch completes when its last response arrived. Per record:
/// 2xx → ok; 408/429/5xx/connect errors/timeouts → RETRY (the host backs
/// off); other statuses → dead-letter with the status and a body excerpt.
/// A `Retry-After` delays the batch's completion — and every request of the
/// agent — by that long (capped by `max_retry_after_ms`).
struct HTTPAgent: BatchAgent {
    static let name = "http"
    static let version = "1.0.0"
    static let summary: String? = "Sends one HTTP request per record (order confirmations by default)"
    static let topics = ["orders"]
    static let capabilities: Capabilities = [.pending, .stateless]

    private let client: HTTPClient
    private let builder: RequestBuilder
    private let gate = RetryAfterGate()
    private let maxRetryAfter: Duration
    private let delivered: Counter
    private let retried: Counter
    private let failed: Counter

    static func validate(_ configuration: HTTPAgentConfiguration) throws {
        try configuration.validate()
    }

    init(configuration: HTTPAgentConfiguration, host: HostServices) throws {
        let headers = try HeaderValues.resolve(configuration.headers)
        var client = HTTPClientConfiguration()
        client.maxConnections = configuration.maxInFlightRequests
        client.requestTimeout = .milliseconds(configuration.timeoutMilliseconds)
        client.connectTimeout = .milliseconds(configuration.connectTimeoutMilliseconds)
        client.allowHTTP2 = configuration.http2
        let connectionsOpened = host.counter("http_connections_opened")
        client.connectionsOpened = { connectionsOpened.add(Int64($0)) }
        self.client = try HTTPClient(configuration: client)
        builder = RequestBuilder(configuration: configuration, headers: headers)
        maxRetryAfter = .milliseconds(configuration.maxRetryAfterMilliseconds)
        delivered = host.counter("http_requests_delivered")
        retried = host.counter("http_requests_retried")
        failed = host.counter("http_requests_failed")
        // Header names only: their values may be secrets; so may the URL's user:password@.
        host.log(.info, "http: \(builder.method) \(SecretRedaction.maskingURLCredentials(configuration.url)), up to \(configuration.maxInFlightRequests) in flight, "
            + "headers [\(headers.map(\.name).joined(separator: ", "))]")
    }

    func handle(_ batch: inout MessageBatch) throws {
        var requests: [HTTPRequest] = []
        var indices: [Int] = []
        requests.reserveCapacity(batch.count)
        for index in 0..<batch.count {
            guard let value = batch[index].value else {
                batch.skip(at: index) // a tombstone asks for no request
                continue
            }
            do {
                requests.append(try builder.request(for: value))
                indices.append(index)
            } catch {
                batch.deadLetter(at: index, reason: "cannot build the request: \(error)")
            }
        }
        guard !requests.isEmpty else { return }
        if let traceparent = batch.traceparent {
            for index in requests.indices { requests[index] = requests[index].traced(traceparent) }
        }
        let pending = batch.finishLater()
        let send: @Sendable () -> Void = { [client, gate, maxRetryAfter, delivered, retried, failed, indices, requests] in
            client.perform(requests) { results in
                var wait: Duration = .zero
                for (index, result) in zip(indices, results) {
                    switch HTTPOutcome.classify(result) {
                    case .success:
                        delivered.add()
                    case .retry(let after, let reason):
                        retried.add()
                        pending.retry(at: index, reason: reason)
                        if let after { wait = max(wait, min(after, maxRetryAfter)) }
                    case .fail(let reason):
                        failed.add()
                        pending.deadLetter(at: index, reason: reason)
                    }
                }
                guard wait > .zero else { return pending.complete() }
                gate.hold(for: wait)
                DispatchQueue.global().asyncAfter(deadline: .now() + wait.seconds) { pending.complete() }
            }
        }
        let delay = gate.remaining
        if delay > .zero {
            DispatchQueue.global().asyncAfter(deadline: .now() + delay.seconds, execute: send)
        } else {
            send()
        }
    }
}

/// The plugin's entry symbol: hands the host the http agent's descriptor.
@c(sluice_plugin_entry_v1)
public func sluicePluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
    SluicePlugin.export(HTTPAgent.self, major, minor)
}
