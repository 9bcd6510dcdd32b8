import Foundation
import SluiceHost
import Testing
import TestSupport

/// A record field in the URL path is exactly one segment, end to end: the
/// plugin in the host sends to a loopback server that records the request
/// target as it arrived, so whatever the plugin or libcurl did to the path shows.
@Suite("http plugin: a path field is one segment")
struct HTTPPathSegmentTests {
    /// The record `{"id": <json>}` keyed `key`.
    private func record(_ key: String, id json: String) -> OutgoingRecord {
        OutgoingRecord(topic: "orders", key: Array(key.utf8), value: Array(#"{"id":\#(json),"user":"alice"}"#.utf8))
    }

    @Test("dots, slashes, escapes, query and fragment characters and unicode stay inside their segment; empty and null are dead-lettered")
    func hostileIDs() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        var harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        harness.configuration.agentDefaults.batchSize = 50
        try harness.installBuiltPlugin(product: "SluiceHTTP", as: "http", sidecar: """
            topics: [orders]
            retry:
              max_attempts: 1
            config:
              url: \(server.baseURL)/api/users/{user}/orders/{id}/confirm?via=sluice
              method: DELETE
              passthrough: true
            """)
        let prefix = "/api/users/alice/orders/"
        // key → (the id as JSON, the path the server must see).
        let sent: [(key: String, json: String, path: String)] = [
            ("dotdot", #""..""#, prefix + "%2E%2E/confirm"),
            ("dot", #"".""#, prefix + "%2E/confirm"),
            ("slash", #""a/b""#, prefix + "a%2Fb/confirm"),
            ("escaped-slash", #""%2F""#, prefix + "%252F/confirm"),
            ("climb", #""../../admin""#, prefix + "..%2F..%2Fadmin/confirm"),
            ("query", #""x?y=1""#, prefix + "x%3Fy%3D1/confirm"),
            ("fragment", #""x#y""#, prefix + "x%23y/confirm"),
            ("unicode", #""ü€😀""#, prefix + "%C3%BC%E2%82%AC%F0%9F%98%80/confirm"),
            ("space", #""a b""#, prefix + "a%20b/confirm"),
            ("number", "1.5", prefix + "1.5/confirm"),
        ]
        for item in sent { harness.broker.append(record(item.key, id: item.json)) }
        harness.broker.append(record("empty", id: #""""#))
        harness.broker.append(record("null", id: "null"))
        try await harness.withRuntime { _ in
            try await eventually(timeout: .seconds(60), "every request and both dead letters") {
                server.requestCount >= sent.count && harness.count("http.dlq") >= 2
            }
            try await Task.sleep(for: .milliseconds(300)) // a stray request would show up by now
        }
        let requests = server.requests
        #expect(requests.allSatisfy { $0.method == "DELETE" })
        #expect(requests.allSatisfy { $0.query == "via=sluice" }, "\(requests.map(\.target))")
        #expect(Set(requests.map(\.path)) == Set(sent.map(\.path)))
        #expect(requests.count == sent.count)
        let reasons = Dictionary(uniqueKeysWithValues: harness.records("http.dlq").map {
            ($0.record.keyText ?? "", $0.record.header("sluice.error") ?? "")
        })
        #expect(reasons == [
            "empty": "cannot build the request: the URL path field 'id' is empty (a path segment needs a value)",
            "null": "cannot build the request: the URL path field 'id' is null (a path segment needs a value)",
        ])
    }
}
