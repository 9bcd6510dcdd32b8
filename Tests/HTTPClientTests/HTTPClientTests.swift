import Foundation
import Synchronization
import SluiceHTTPClient
import Testing
import TestSupport

/// The shared client against a real local server (HTTPRecordingServer).
@Suite("HTTPClient")
struct HTTPClientTests {
    @Test("many requests: results in order, bodies and headers as sent, connections reused")
    func manyRequests() throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        server.setResponder { request in .respond(status: 200, headers: ["X-Echo": request.path], body: request.bodyText) }
        var configuration = HTTPClientConfiguration()
        configuration.maxConnections = 4
        let reported = ReportedConnections()
        configuration.connectionsOpened = { opened in reported.total.withLock { $0 += opened } }
        let client = try HTTPClient(configuration: configuration)
        let requests = (0..<500).map { index in
            HTTPRequest(method: "POST", url: server.baseURL + "/items/\(index)",
                        headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("X-Index", "\(index)")],
                        body: Array("{\"n\":\(index)}".utf8))
        }
        let results = client.perform(requests)
        #expect(results.count == 500)
        for (index, result) in results.enumerated() {
            let response = try result.get()
            #expect(response.status == 200)
            #expect(response.bodyText == "{\"n\":\(index)}")
            #expect(response.header("x-echo") == "/items/\(index)")
        }
        let recorded = server.requests
        #expect(recorded.count == 500)
        #expect(Set(recorded.map(\.bodyText)) == Set((0..<500).map { "{\"n\":\($0)}" }))
        for request in recorded {
            #expect(request.method == "POST")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("X-Index").map { request.path == "/items/\($0)" } == true)
            #expect(request.header("Expect") == nil)
        }
        // A second round reuses the kept-alive connections.
        let again = client.perform((0..<100).map { HTTPRequest(url: server.baseURL + "/again/\($0)") })
        #expect(again.allSatisfy { (try? $0.get().status) == 200 })
        #expect(server.acceptedConnections <= 4)
        #expect(client.connectionsOpened == server.acceptedConnections)
        #expect(reported.total.withLock { $0 } == server.acceptedConnections)
    }

    @Test("requests of different shapes on one handle: each is sent with its own method, headers and body")
    func mixedShapesReuseHandles() throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        var configuration = HTTPClientConfiguration()
        configuration.maxConnections = 1 // one easy handle serves every request, in turn
        let client = try HTTPClient(configuration: configuration)
        let shapes: [HTTPRequest] = [
            HTTPRequest(method: "POST", url: server.baseURL + "/a", headers: [HTTPHeader("X-A", "1")], body: Array("first".utf8)),
            HTTPRequest(method: "POST", url: server.baseURL + "/a", headers: [HTTPHeader("X-A", "1")], body: Array("second".utf8)),
            HTTPRequest(url: server.baseURL + "/b"),
            HTTPRequest(method: "PUT", url: server.baseURL + "/a", headers: [HTTPHeader("X-B", "2")], body: [0, 1, 2]),
            HTTPRequest(method: "POST", url: server.baseURL + "/a", headers: [HTTPHeader("X-A", "1")], body: []),
            HTTPRequest(method: "DELETE", url: server.baseURL + "/c"),
            HTTPRequest(method: "HEAD", url: server.baseURL + "/b"),
            HTTPRequest(method: "POST", url: server.baseURL + "/a", headers: [HTTPHeader("X-A", "1")], body: Array("last".utf8)),
        ]
        for request in shapes { // one at a time, so the server sees them in this order
            #expect(try client.perform([request])[0].get().status == 200)
        }
        let received = server.requests
        #expect(received.map(\.method) == shapes.map(\.method))
        #expect(received.map(\.path) == ["/a", "/a", "/b", "/a", "/a", "/c", "/b", "/a"])
        #expect(received.map(\.body) == shapes.map { $0.method == "HEAD" ? [] : $0.body })
        #expect(received.map { $0.header("X-A") } == ["1", "1", nil, nil, "1", nil, nil, "1"])
        #expect(received.map { $0.header("X-B") } == [nil, nil, nil, "2", nil, nil, nil, nil])
        #expect(received[4].header("Content-Length") == "0", "a POST without a body still says so")
    }

    @Test("the completion runs once with every result")
    func completion() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let client = try HTTPClient()
        let results = await withCheckedContinuation { continuation in
            client.perform((0..<20).map { HTTPRequest(method: "PUT", url: server.baseURL + "/x/\($0)", body: [1, 2, 3]) }) {
                continuation.resume(returning: $0)
            }
        }
        #expect(results.count == 20)
        #expect(results.allSatisfy { (try? $0.get().status) == 200 })
        #expect(server.requests.allSatisfy { $0.method == "PUT" && $0.body == [1, 2, 3] })
        #expect(client.perform([]).isEmpty)
    }

    @Test("statuses classify into success, retry (with Retry-After) and fail (with an excerpt)")
    func classification() throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let longBody = String(repeating: "bad field; ", count: 100)
        server.enqueue([
            .status(503),
            .respond(status: 429, headers: ["Retry-After": "1"]),
            .status(400, body: longBody),
            .status(408),
            .status(404, body: "no such index"),
            .status(201),
        ])
        let client = try HTTPClient(configuration: { var c = HTTPClientConfiguration(); c.maxConnections = 1; return c }())
        let outcomes = client.perform((0..<6).map { HTTPRequest(url: server.baseURL + "/\($0)") }).map(HTTPOutcome.classify)
        #expect(outcomes[0] == .retry(after: nil, reason: "HTTP 503"))
        #expect(outcomes[1] == .retry(after: .seconds(1), reason: "HTTP 429"))
        guard case .fail(let reason) = outcomes[2] else { Issue.record("400 must fail, got \(outcomes[2])"); return }
        #expect(reason.hasPrefix("HTTP 400: bad field; bad field;"))
        #expect(reason.count <= "HTTP 400: ".count + HTTPOutcome.excerptLimit)
        #expect(outcomes[3] == .retry(after: nil, reason: "HTTP 408"))
        #expect(outcomes[4] == .fail(reason: "HTTP 404: no such index"))
        #expect(outcomes[5] == .success)
    }

    @Test("a server that never answers times out")
    func timeout() throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        server.setDefault(.hang)
        var configuration = HTTPClientConfiguration()
        configuration.requestTimeout = .milliseconds(300)
        let client = try HTTPClient(configuration: configuration)
        let results = client.perform([HTTPRequest(method: "POST", url: server.baseURL + "/slow", body: Array("x".utf8))])
        guard case .failure(.timeout) = results[0] else { Issue.record("expected a timeout, got \(results[0])"); return }
        guard case .retry = HTTPOutcome.classify(results[0]) else { Issue.record("a timeout must be retried"); return }
        #expect(server.requestCount == 1)
    }

    @Test("a server that is down gives a connect error, and the client recovers when it is back")
    func downAndBack() throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let client = try HTTPClient()
        #expect((try? client.perform([HTTPRequest(url: server.baseURL + "/a")])[0].get().status) == 200)
        server.goDown()
        let down = client.perform([HTTPRequest(url: server.baseURL + "/b")])
        guard case .failure(.connect) = down[0] else { Issue.record("expected a connect error, got \(down[0])"); return }
        try server.comeBack()
        #expect((try? client.perform([HTTPRequest(url: server.baseURL + "/c")])[0].get().status) == 200)
        #expect(server.requests.map(\.path) == ["/a", "/c"])
    }

    @Test("gzipRequests compresses bodies and says so")
    func gzip() throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        var configuration = HTTPClientConfiguration()
        configuration.gzipRequests = true
        let client = try HTTPClient(configuration: configuration)
        let body = Array(String(repeating: "cpu,host=a value=1\n", count: 200).utf8)
        _ = client.perform([HTTPRequest(method: "POST", url: server.baseURL + "/write", body: body)])
        let request = try #require(server.requests.first)
        #expect(request.header("Content-Encoding") == "gzip")
        #expect(Array(request.body.prefix(2)) == [0x1f, 0x8b])
        #expect(request.body.count < body.count)
    }

    @Test("Retry-After accepts seconds and HTTP-dates")
    func retryAfter() {
        let now = Date(timeIntervalSince1970: 1_445_412_470) // Wed, 21 Oct 2015 07:27:50 GMT
        #expect(RetryAfter.parse("3") == .seconds(3))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("soon") == nil)
        #expect(RetryAfter.parse(nil) == nil)
    }
}

/// What ``HTTPClientConfiguration/connectionsOpened`` reported, summed (it runs on the client's thread).
private final class ReportedConnections: Sendable {
    let total = Mutex(0)
}
