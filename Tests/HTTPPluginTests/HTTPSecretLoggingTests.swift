import Foundation
import SluiceHost
import Testing
import TestSupport

/// The http plugin's start-up line names its URL: a password in that URL is
/// masked (`user:***@`), and header values never appear.
@Suite("http plugin: secrets never logged")
struct HTTPSecretLoggingTests {
    @Test("a URL's password and a header's secret appear in no log line; the request still carries them")
    func urlCredentialsMasked() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        setenv("SLUICE_HTTP_LOG_TEST_TOKEN", "tok-7f3a91", 1)
        var harness = try HostHarness(partitions: 1)
        harness.configuration.pluginEnvironment = ["SLUICE_HTTP_LOG_TEST_TOKEN"]
        defer { harness.remove() }
        let authority = server.baseURL.replacingOccurrences(of: "http://", with: "http://svc:pw-c0ffee@")
        try harness.installBuiltPlugin(product: "SluiceHTTP", as: "http", sidecar: """
            topics: [orders]
            config:
              url: \(authority)/send/{user_id}
              headers:
                X-Api-Key: ${SLUICE_HTTP_LOG_TEST_TOKEN}
            """)
        harness.broker.append(OutgoingRecord(topic: "orders", key: Array("k".utf8),
                                             value: Array(#"{"user_id":"5","symbol":"AAPL","quantity":1}"#.utf8)))
        let log = LogRecorder()
        let runtime = try SluiceRuntime(configuration: harness.configuration, transport: MemoryTransport(broker: harness.broker),
                                        logger: log.logger(label: "sluice.test"))
        try await withRuntime(runtime) { _ in
            try await eventually("one request") { server.requestCount >= 1 }
        }
        let lines = log.all
        let startLine = lines.first { $0.contains("http: POST") }
        #expect(startLine?.contains("http://svc:***@127.0.0.1") == true, "\(lines)")
        #expect(!lines.contains { $0.contains("pw-c0ffee") || $0.contains("tok-7f3a91") }, "\(lines)")
        let request = try #require(server.requests.first)
        #expect(request.header("Authorization") == "Basic " + Data("svc:pw-c0ffee".utf8).base64EncodedString())
        #expect(request.header("X-Api-Key") == "tok-7f3a91")
    }
}
