import Foundation
import Testing
import TestSupport

/// The http plugin's declared configuration: the host refuses a bad
/// `config:` with the exact message, and docs/plugins/http.md's table is the
/// declaration's.
@Suite("http plugin: declared configuration")
struct HTTPConfigurationDeclarationTests {
    @Test("an unknown key, a wrong type, an out-of-range value: refused with the exact message", arguments: [
        ("  url: http://127.0.0.1:1/x\n  max_inflight_requests: 4\n",
         #"config.max_inflight_requests: expected one of body, connect_timeout_ms, headers, http2, max_in_flight_requests, max_retry_after_ms, method, passthrough, timeout_ms, url, found unknown key "max_inflight_requests" (did you mean "max_in_flight_requests"?)"#),
        ("  url: http://127.0.0.1:1/x\n  http2: maybe\n", #"config.http2: expected true or false, found "maybe""#),
        ("  url: http://127.0.0.1:1/x\n  max_in_flight_requests: 2000\n",
         "config.max_in_flight_requests: expected an integer from 1 to 1024, found 2000"),
        ("  method: GET\n", "config.url: expected a non-empty string (required), found nothing"),
    ])
    func refused(config: String, message: String) async throws {
        let refusal = try await HostHarness.refusal(ofBuiltPlugin: "SluiceHTTP", as: "http", config: config)
        let plugins = try #require(refusal?.components(separatedBy: "/http.so refused: ").first)
        #expect(refusal == "\(plugins)/http.so refused: \(plugins)/http.yaml: \(message)")
    }

    @Test("the docs' configuration table is the one the declaration generates")
    func docsTable() throws {
        #expect(try PluginConfigDocs.documentedRows(inFile: "docs/plugins/http.md")
                == PluginConfigDocs.generatedRows(ofBuiltPlugin: "SluiceHTTP"))
    }
}
