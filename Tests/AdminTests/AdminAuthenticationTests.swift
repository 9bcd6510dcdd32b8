import Foundation
import Logging
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// The bearer token: required off loopback, checked on every endpoint but /healthz.
@Suite("Admin API authentication")
struct AdminAuthenticationTests {
    private static let token = "s3cret-admin-token"

    private static func anyAddress(token: String?) -> AdminSettings {
        var settings = AdminSettings()
        settings.host = "0.0.0.0"
        settings.port = 0
        settings.token = token
        return settings
    }

    @Test("bound to 0.0.0.0 without a token, the server refuses to start, saying why")
    func refusesOpenNonLoopback() throws {
        let harness = try HostHarness()
        defer { harness.remove() }
        let runtime = try harness.makeRuntime()
        #expect(throws: AdminServerError.tokenRequired(host: "0.0.0.0")) {
            _ = try AdminServer(runtime: runtime, configuration: Self.anyAddress(token: nil), logger: Logger(label: "test"))
        }
        let message = AdminServerError.tokenRequired(host: "0.0.0.0").description
        #expect(message.contains("SLUICE_ADMIN_TOKEN") && message.contains("0.0.0.0"))
    }

    @Test("bound to 0.0.0.0 with a token: no token or a wrong one is 401 in JSON, the right one 200; /healthz stays open; the token is never logged")
    func tokenRequired() async throws {
        let logs = LogRecorder()
        try await AdminTestHost(admin: Self.anyAddress(token: Self.token), logger: logs.logger(label: "admin")).run { host in
            let health = try await HTTPExchange.get(host.baseURL, "/healthz")
            #expect(health.status == 200)

            for path in ["/agents", "/readyz", "/metrics", "/agents/recorder"] {
                let anonymous = try await HTTPExchange.get(host.baseURL, path)
                #expect(anonymous.status == 401, "\(path)")
                #expect(anonymous.errorMessage?.contains("missing bearer token") == true, "\(anonymous.text)")
                #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Bearer") == true)

                let wrong = try await HTTPExchange.get(host.baseURL, path, headers: ["Authorization": "Bearer \(Self.token)x"])
                #expect(wrong.status == 401, "\(path)")
                #expect(wrong.errorMessage == "invalid bearer token")
                #expect(!wrong.text.contains(Self.token), "the token is never echoed")

                let right = try await HTTPExchange.get(host.baseURL, path, headers: ["Authorization": "Bearer \(Self.token)"])
                #expect(right.status == 200, "\(path): \(right.text)")
            }
            let produce = try await HTTPExchange.post(host.baseURL, "/topics/input/messages", #"{"value": "x"}"#)
            #expect(produce.status == 401)
            #expect(host.harness.count("input") == 0, "nothing produced without the token")
            let pause = try await HTTPExchange.post(host.baseURL, "/agents/recorder/pause",
                                                    headers: ["Authorization": "Basic \(Self.token)"])
            #expect(pause.status == 401, "only the Bearer scheme is accepted")
        }
        #expect(logs.all.contains { $0.contains("admin API listening") && $0.contains("bearer token") }, "\(logs.all)")
        #expect(!logs.all.isEmpty)
        #expect(logs.all.allSatisfy { !$0.contains(Self.token) }, "the token appears in a log line")
    }

    @Test("on loopback a configured token is required too")
    func loopbackWithToken() async throws {
        try await AdminTestHost(admin: AdminTestHost.loopback(token: Self.token)).run { host in
            let anonymous = try await HTTPExchange.get(host.baseURL, "/agents")
            #expect(anonymous.status == 401)
            let authorized = try await HTTPExchange.get(host.baseURL, "/agents",
                                                        headers: ["Authorization": "bearer \(Self.token)"])
            #expect(authorized.status == 200)
        }
    }

    @Test("loopback addresses", arguments: [
        ("127.0.0.1", true), ("127.1.2.3", true), ("::1", true), ("[::1]", true), ("localhost", true),
        ("0.0.0.0", false), ("::", false), ("10.0.0.1", false), ("128.0.0.1", false), ("example.com", false), ("::2", false),
    ])
    func loopback(host: String, expected: Bool) {
        #expect(LoopbackAddress.contains(host) == expected)
    }

    @Test("the token comparison accepts exactly the token, and never prints it")
    func bearerToken() {
        let token = BearerToken("abc")
        #expect(token.accepts(authorization: "Bearer abc"))
        #expect(token.accepts(authorization: "bearer abc"))
        #expect(!token.accepts(authorization: "Bearer ab"))
        #expect(!token.accepts(authorization: "Bearer abcd"))
        #expect(!token.accepts(authorization: "Bearer abd"))
        #expect(!token.accepts(authorization: "Bearer "))
        #expect(!token.accepts(authorization: "abc"))
        #expect(!token.accepts(authorization: nil))
        #expect("\(token)" == "<redacted>")
    }
}
