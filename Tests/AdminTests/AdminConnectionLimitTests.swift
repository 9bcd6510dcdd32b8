import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// The limits that apply before authentication: a deadline for the request
/// head, an idle timeout for kept-alive connections, a cap on open connections.
@Suite("Admin API connection limits")
struct AdminConnectionLimitTests {
    private static func port(of host: AdminTestHost) throws -> Int {
        try #require(URL(string: host.baseURL)?.port)
    }

    @Test("a connection that trickles its request head is answered 408 in JSON and closed at request_head_timeout")
    func slowHeadClosed() async throws {
        var settings = AdminTestHost.loopback()
        settings.requestHeadTimeout = .milliseconds(500)
        try await AdminTestHost(admin: settings).run { host in
            let port = try Self.port(of: host)
            let started = ContinuousClock.now
            // One header byte every 100 ms: never idle, never finished.
            let raw = try await DedicatedThread.run("slow-head") { () throws -> Data in
                let socket = try RawHTTP.connect(port: port, receiveTimeout: 30)
                defer { close(socket) }
                try RawHTTP.write(socket, Data("GET /agents HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-Slow: ".utf8))
                var received = Data()
                var buffer = [UInt8](repeating: 0, count: 4096)
                for _ in 0..<100 {
                    try RawHTTP.write(socket, Data("a".utf8))
                    usleep(100_000)
                    let count = recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                    if count > 0 { received.append(contentsOf: buffer[0..<count]) }
                    if count == 0 { break }
                }
                return received + RawHTTP.readToEnd(socket)
            }
            let elapsed = ContinuousClock.now - started
            let answer = try RawHTTP.parse(raw)
            #expect(answer.status == 408, "\(answer.text)")
            #expect(answer.errorMessage == "no complete request head within 500 ms: closing the connection", "\(answer.text)")
            #expect(elapsed < .seconds(5), "closed after \(elapsed)")
        }
    }

    @Test("a kept-alive connection that sends nothing more is closed at idle_timeout")
    func idleKeepAliveClosed() async throws {
        var settings = AdminTestHost.loopback()
        settings.idleTimeout = .milliseconds(500)
        try await AdminTestHost(admin: settings).run { host in
            let port = try Self.port(of: host)
            let started = ContinuousClock.now
            // No Connection: close: the server keeps the connection until the idle timeout.
            let raw = try await RawHTTP.exchange(port: port, Data("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8))
            let elapsed = ContinuousClock.now - started
            #expect(try RawHTTP.parse(raw).status == 200)
            #expect(elapsed < .seconds(10), "the idle connection stayed open \(elapsed)")
        }
    }

    @Test("over max_connections a new connection is closed at once; once the open ones close, requests are answered again")
    func connectionCap() async throws {
        var settings = AdminTestHost.loopback()
        settings.maxConnections = 3
        let logs = LogRecorder()
        try await AdminTestHost(admin: settings, logger: logs.logger(label: "admin")).run { host in
            let port = try Self.port(of: host)
            // Which three are admitted depends on the event loops' order; that only three are does not.
            var connections: IdleConnections? = try await IdleConnections.open(8, port: port)
            try await eventually(timeout: .seconds(10), "the connections over the cap are closed") {
                connections?.closedByServer() == 5
            }
            #expect(connections?.closedByServer() == 5, "the admitted connections stay open until their deadline")
            #expect(logs.all.contains { $0.contains("connection limit reached") && $0.contains("max_connections") }, "\(logs.all)")

            connections = nil
            try await eventually(timeout: .seconds(10), "a fresh request is answered once the held connections closed") {
                (try? await RawHTTP.send("GET", port: port, "/healthz"))?.status == 200
            }
        }
    }
}
