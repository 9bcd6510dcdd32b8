import Foundation
@testable import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// Without a token, the loopback API must not be drivable by a web page in a
/// local browser: cross-site requests, simple form posts and DNS rebinding
/// are refused, while the CLI, curl and scripts keep working.
@Suite("Admin API refuses requests from web pages")
struct AdminBrowserRequestTests {
    private static func port(of host: AdminTestHost) throws -> Int {
        try #require(URL(string: host.baseURL)?.port)
    }

    @Test("a cross-site POST carrying Origin is a 403 in JSON and does not pause the agent")
    func originRefused() async throws {
        try await AdminTestHost().run { host in
            let port = try Self.port(of: host)
            let answer = try await RawHTTP.send("POST", port: port, "/agents/recorder/pause", headers: [
                ("Origin", "https://evil.example"), ("Content-Type", "application/json"),
            ], body: "")
            #expect(answer.status == 403, "\(answer.text)")
            #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true)
            let message = try #require(answer.errorMessage, "\(answer.text)")
            #expect(message.contains("cross-site request refused") && message.contains("Origin: https://evil.example"), "\(message)")
            #expect(host.runtime.agents.first?.state == .running, "the page paused the agent")

            let produce = try await RawHTTP.send("POST", port: port, "/topics/input/messages", headers: [
                ("Origin", "null"), ("Content-Type", "application/json"),
            ], body: #"{"value": "from a page"}"#)
            #expect(produce.status == 403, "\(produce.text)")
            #expect(host.harness.count("input") == 0, "a page produced a record")
        }
    }

    @Test("Sec-Fetch-Site other than none or same-origin is refused on state-changing requests", arguments: [
        ("cross-site", 403), ("same-site", 403), ("none", 200), ("same-origin", 200),
    ])
    func fetchSite(site: String, expected: Int) async throws {
        try await AdminTestHost().run { host in
            let answer = try await RawHTTP.send("POST", port: try Self.port(of: host), "/agents/recorder/resume", headers: [
                ("Sec-Fetch-Site", site), ("Content-Type", "application/json"),
            ], body: "")
            #expect(answer.status == expected, "\(site): \(answer.text)")
            if expected == 403 {
                #expect(answer.errorMessage?.contains("Sec-Fetch-Site: \(site)") == true, "\(answer.text)")
            }
        }
    }

    @Test("a POST must say Content-Type: application/json (or x-ndjson): form, text and missing types are 415s", arguments: [
        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", nil,
    ] as [String?])
    func contentTypeRequired(contentType: String?) async throws {
        try await AdminTestHost().run { host in
            let port = try Self.port(of: host)
            let headers = contentType.map { [("Content-Type", $0)] } ?? []
            let pause = try await RawHTTP.send("POST", port: port, "/agents/recorder/pause", headers: headers, body: "")
            #expect(pause.status == 415, "\(pause.text)")
            let message = try #require(pause.errorMessage, "\(pause.text)")
            #expect(message.contains("requires Content-Type: application/json"), "\(message)")
            #expect(message.contains(contentType.map { "found \"\($0)\"" } ?? "found none"), "\(message)")
            #expect(host.runtime.agents.first?.state == .running)

            let produce = try await RawHTTP.send("POST", port: port, "/topics/input/messages", headers: headers,
                                                 body: #"{"value": "v"}"#)
            #expect(produce.status == 415, "\(produce.text)")
            #expect(host.harness.count("input") == 0)
        }
    }

    @Test("a bodiless POST with Content-Type: application/json works, as the CLI sends it")
    func bodilessJSONPost() async throws {
        try await AdminTestHost().run { host in
            let answer = try await RawHTTP.send("POST", port: try Self.port(of: host), "/agents/recorder/pause",
                                                headers: [("Content-Type", "application/json")], body: "")
            #expect(answer.status == 200, "\(answer.text)")
            #expect(host.runtime.agents.first?.state != .running, "the CLI-style pause did not pause")
        }
    }

    @Test("a Host other than the API's address and port is a 421 (DNS rebinding); loopback names are accepted", arguments: [
        ("evil.example:{port}", 421), ("127.0.0.1:1", 421), ("localhost.evil.example:{port}", 421), ("127.0.0.1", 421),
        ("127.0.0.1:{port}", 200), ("localhost:{port}", 200), ("LOCALHOST:{port}", 200), ("[::1]:{port}", 200),
    ])
    func hostHeader(host hostHeader: String, expected: Int) async throws {
        try await AdminTestHost().run { host in
            let port = try Self.port(of: host)
            let value = hostHeader.replacingOccurrences(of: "{port}", with: "\(port)")
            let answer = try await RawHTTP.send("GET", port: port, "/agents", headers: [("Host", value)])
            #expect(answer.status == expected, "Host: \(value): \(answer.text)")
            if expected == 421 {
                let message = try #require(answer.errorMessage, "\(answer.text)")
                #expect(message.contains("Host \"\(value)\" is not this admin API"), "\(message)")
                #expect(message.contains("127.0.0.1:\(port)"), "\(message)")
                #expect(!answer.text.contains("recorder"), "the rebound page read the agents")
            }
        }
    }

    @Test("a second Host header is a 400")
    func twoHostHeaders() async throws {
        try await AdminTestHost().run { host in
            let port = try Self.port(of: host)
            let answer = try await RawHTTP.send("GET", port: port, "/agents", headers: [
                ("Host", "127.0.0.1:\(port)"), ("Host", "evil.example:\(port)"),
            ])
            #expect(answer.status == 400, "\(answer.text)")
            #expect(answer.errorMessage == "more than one Host header", "\(answer.text)")
        }
    }

    @Test("a rebound page cannot drive the host either: POST with a foreign Host is refused before anything happens")
    func reboundPost() async throws {
        try await AdminTestHost().run { host in
            let port = try Self.port(of: host)
            let answer = try await RawHTTP.send("POST", port: port, "/agents/recorder/pause", headers: [
                ("Host", "evil.example:\(port)"), ("Content-Type", "application/json"),
            ], body: "")
            #expect(answer.status == 421, "\(answer.text)")
            #expect(host.runtime.agents.first?.state == .running)
        }
    }

    @Test("the configured host is accepted as Host too, with the port; malformed Host values are not")
    func allowedHosts() {
        let allowed = AllowedHosts(configuredHost: "Sluice-Box.local")
        #expect(allowed.accepts("sluice-box.local:6066", port: 6066))
        #expect(allowed.accepts("[::1]:6066", port: 6066))
        #expect(!allowed.accepts("sluice-box.local:6067", port: 6066))
        #expect(!allowed.accepts("sluice-box.local", port: 6066))
        #expect(allowed.accepts("localhost", port: 80), "port 80 may be left out")
        #expect(!allowed.accepts("127.0.0.1:6066:1", port: 6066))
        #expect(!allowed.accepts("[::1:6066", port: 6066))
        #expect(!allowed.accepts("::1:6066", port: 6066))
        #expect(!allowed.accepts("", port: 6066))
    }
}
