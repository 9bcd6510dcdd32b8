import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// Every refusal is JSON, also those made before the router (oversized URL
/// and headers, unparseable requests); HEAD /healthz answers like GET without a body.
@Suite("Admin API malformed requests and HEAD")
struct AdminMalformedRequestTests {
    private static func port(of host: AdminTestHost) throws -> Int {
        try #require(URL(string: host.baseURL)?.port)
    }

    @Test("a 100,000-character URL is a JSON 414")
    func longURL() async throws {
        try await AdminTestHost().run { host in
            let path = "/agents/" + String(repeating: "a", count: 100_000)
            let answer = try await RawHTTP.send("GET", port: try Self.port(of: host), path)
            #expect(answer.status == 414, "\(answer.text.prefix(300))")
            #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true)
            #expect(answer.errorMessage?.contains("request URL too long") == true, "\(answer.text.prefix(300))")
        }
    }

    @Test("a URL or header over the decoder's limits, or too many headers, is a JSON 431, and the connection is closed")
    func oversizedHead() async throws {
        try await AdminTestHost().run { host in
            let port = try Self.port(of: host)
            let header = try await RawHTTP.send("GET", port: port, "/agents",
                                                headers: [("X-Big", String(repeating: "b", count: 200_000))])
            #expect(header.status == 431, "\(header.text.prefix(300))")
            #expect(header.errorMessage?.contains("request head too large") == true, "\(header.text.prefix(300))")
            #expect(header.headers["connection"] == "close")

            let url = try await RawHTTP.send("GET", port: port, "/" + String(repeating: "u", count: 300_000))
            #expect(url.status == 431, "\(url.text.prefix(300))")
            #expect(url.errorMessage != nil)

            let many = try await RawHTTP.send("GET", port: port, "/agents", headers: (1...150).map { ("X-H\($0)", "v") })
            #expect(many.status == 431, "\(many.text.prefix(300))")
            #expect(many.errorMessage?.contains("at most 100 header fields") == true, "\(many.text.prefix(300))")
        }
    }

    @Test("a request the parser cannot read is a JSON 400")
    func garbage() async throws {
        try await AdminTestHost().run { host in
            let raw = try await RawHTTP.exchange(port: try Self.port(of: host), Data("NOT HTTP AT ALL\r\n\r\n".utf8))
            let answer = try RawHTTP.parse(raw)
            #expect(answer.status == 400, "\(answer.text)")
            #expect(answer.errorMessage?.contains("malformed") == true, "\(answer.text)")
        }
    }

    @Test("a chunked body the parser cannot read is a JSON 400, not a 500, and produces nothing")
    func brokenChunk() async throws {
        try await AdminTestHost().run { host in
            let port = try Self.port(of: host)
            let request = "POST /topics/input/messages HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n"
            let answer = try RawHTTP.parse(try await RawHTTP.exchange(port: port, Data(request.utf8)))
            #expect(answer.status == 400, "\(answer.text)")
            #expect(answer.errorMessage?.hasPrefix("malformed HTTP request body") == true, "\(answer.text)")
            #expect(host.harness.count("input") == 0)
        }
    }

    @Test("HEAD /healthz is 200 without a body, also with a token set")
    func headHealthz() async throws {
        try await AdminTestHost(admin: AdminTestHost.loopback(token: "t0ken")).run { host in
            let result = try await ProcessRunner.run(["curl", "-s", "-I", "--max-time", "10", host.baseURL + "/healthz"])
            #expect(result.output.hasPrefix("HTTP/1.1 200"), "\(result.output)")
            let answer = try await RawHTTP.send("HEAD", port: try Self.port(of: host), "/healthz")
            #expect(answer.status == 200)
            #expect(answer.body.isEmpty, "\(answer.text)")
        }
    }
}
