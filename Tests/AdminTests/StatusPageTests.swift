import Foundation
import Testing
import TestSupport

/// The status page over plain HTTP: what is served, with which headers, and
/// what a request without the token gets.
@Suite("Status page: serving and authentication")
struct StatusPageTests {
    private static func port(of host: AdminTestHost) throws -> Int {
        try #require(URL(string: host.baseURL)?.port)
    }

    /// The headers every part of the page carries.
    private static func expectLockedDown(_ answer: RawHTTP.Answer, _ path: String) {
        let policy = answer.headers["content-security-policy"] ?? ""
        for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                          "frame-ancestors 'none'"] {
            #expect(policy.contains(directive), "\(path): \(policy)")
        }
        #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "\(path): \(policy)")
        #expect(answer.headers["x-content-type-options"] == "nosniff", "\(path)")
        #expect(answer.headers["x-frame-options"] == "DENY", "\(path)")
        #expect(answer.headers["cache-control"] == "no-store", "\(path)")
    }

    @Test("/, /status.js and /status.css are self-contained and served with a strict policy")
    func selfContained() async throws {
        try await AdminTestHost().run { host in
            let port = try Self.port(of: host)
            let page = try await RawHTTP.send("GET", port: port, "/", headers: [("Accept", "text/html")])
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            Self.expectLockedDown(page, "/")
            let html = page.text
            #expect(html.contains(#"<script src="/status.js" defer></script>"#))
            #expect(html.contains(#"<link rel="stylesheet" href="/status.css">"#))
            // No inline script or style, and nothing from another host (the page works offline).
            #expect(html.matches(of: #/<script(?![^>]*\bsrc=)/#).isEmpty, "inline script")
            #expect(!html.contains("style=") && !html.contains("<style"), "inline style")
            #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("//"),
                    "a reference to another host")

            let script = try await RawHTTP.send("GET", port: port, "/status.js")
            #expect(script.status == 200)
            #expect(script.headers["content-type"] == "text/javascript; charset=utf-8")
            Self.expectLockedDown(script, "/status.js")
            #expect(script.text.contains("fetch(path"))
            #expect(!script.text.contains("innerHTML") && !script.text.contains("eval("), "markup from data")
            #expect(script.text.matches(of: #/https?://(?!www\.w3\.org/2000/svg)/#).isEmpty, "another host")

            let style = try await RawHTTP.send("GET", port: port, "/status.css")
            #expect(style.status == 200)
            #expect(style.headers["content-type"] == "text/css; charset=utf-8")
            #expect(!style.text.contains("url(") && !style.text.contains("@import"), "an outside resource")
        }
    }

    @Test("with a token: / is a 401 (the sign-in page for browsers, JSON for scripts); script and style are public")
    func tokenRules() async throws {
        let token = "page-\(UUID().uuidString)"
        try await AdminTestHost(admin: AdminTestHost.loopback(token: token)).run { host in
            let port = try Self.port(of: host)
            let browser = try await RawHTTP.send("GET", port: port, "/", headers: [
                ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            ])
            #expect(browser.status == 401)
            #expect(browser.headers["www-authenticate"] == #"Bearer realm="sluice""#)
            #expect(browser.headers["content-type"] == "text/html; charset=utf-8")
            Self.expectLockedDown(browser, "/ (401)")
            #expect(browser.text.contains(#"<form id="sign-in""#))
            #expect(!browser.text.contains("recorder"), "the sign-in page shows an agent")

            let script = try await RawHTTP.send("GET", port: port, "/")
            #expect(script.status == 401)
            #expect(script.headers["content-type"]?.hasPrefix("application/json") == true)
            #expect(script.errorMessage == "missing bearer token: send Authorization: Bearer <token>")

            let wrong = try await RawHTTP.send("GET", port: port, "/", headers: [
                ("Accept", "application/json"), ("Authorization", "Bearer nope"),
            ])
            #expect(wrong.status == 401 && wrong.errorMessage == "invalid bearer token")

            let granted = try await RawHTTP.send("GET", port: port, "/", headers: [
                ("Accept", "text/html"), ("Authorization", "Bearer \(token)"),
            ])
            #expect(granted.status == 200)

            for path in ["/status.js", "/status.css"] {
                let asset = try await RawHTTP.send("GET", port: port, path)
                #expect(asset.status == 200, "\(path): \(asset.text)")
            }
            let agents = try await RawHTTP.send("GET", port: port, "/agents", headers: [("Accept", "text/html")])
            #expect(agents.status == 401, "the data stays behind the token")
            #expect(agents.headers["content-type"]?.hasPrefix("application/json") == true)
        }
    }

    @Test("on loopback, the page under a foreign Host name (DNS rebinding) is refused like every endpoint")
    func foreignHostRefused() async throws {
        try await AdminTestHost().run { host in
            let port = try Self.port(of: host)
            for path in ["/", "/status.js"] {
                let answer = try await RawHTTP.send("GET", port: port, path, headers: [("Host", "evil.example:\(port)")])
                #expect(answer.status == 421, "\(path): \(answer.text)")
            }
        }
    }
}
