import Foundation

/// An HTTP client on libcurl's multi interface, shared by the HTTP,
/// InfluxDB and Elasticsearch plugins.
///
/// One client owns one libcurl multi handle and one thread that drives it.
/// Requests run concurrently, at most ``HTTPClientConfiguration/maxConnections``
/// at once, over kept-alive connections (and HTTP/2 streams when the server
/// negotiates HTTP/2); the rest wait in the client's queue. Keep one client
/// per agent instance and reuse it: connections live as long as the client.
///
/// Releasing the client stops its thread; requests not finished by then fail
/// with ``HTTPClientError/transport(_:)``.
public final class HTTPClient: Sendable {
    private let engine: CurlEngine

    /// A client with its own thread and connection pool.
    public init(configuration: HTTPClientConfiguration = .init()) throws {
        engine = try CurlEngine(configuration: configuration)
    }

    deinit { engine.shutdown() }

    /// Runs the requests concurrently (up to `maxConnections` at once) over
    /// kept-alive connections; results in request order. Blocks the calling
    /// thread — never call it from a `completion` of this client.
    public func perform(_ requests: [HTTPRequest]) -> [Result<HTTPResponse, HTTPClientError>] {
        let done = DispatchSemaphore(value: 0)
        let box = ResultsBox()
        perform(requests) { results in
            box.results = results
            done.signal()
        }
        done.wait()
        return box.results
    }

    /// Same, without blocking: `completion` runs once on the client's own
    /// thread when all are done (at once on the calling thread for an empty
    /// list). Keep it short: the client's transfers wait while it runs.
    public func perform(_ requests: [HTTPRequest],
                        completion: @escaping @Sendable ([Result<HTTPResponse, HTTPClientError>]) -> Void) {
        guard !requests.isEmpty else { return completion([]) }
        let submission = CurlSubmission(count: requests.count, completion: completion)
        engine.submit(requests.enumerated().map { CurlJob(request: $1, submission: submission, index: $0) })
    }

    /// Connections libcurl opened so far (the sum of `CURLINFO_NUM_CONNECTS`
    /// over finished transfers): tests assert connection reuse with it.
    public var connectionsOpened: Int { engine.connectionsOpened }
}

/// Carries the results from the client's thread to the blocked caller (the
/// semaphore orders the write before the read).
private final class ResultsBox: @unchecked Sendable {
    var results: [Result<HTTPResponse, HTTPClientError>] = []
}
