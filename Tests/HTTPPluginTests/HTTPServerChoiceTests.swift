import Foundation
import SluiceHost
import Testing
import TestSupport

/// A record fills the URL's path or query, never its host: a template with a
/// field in the host (or the user or port) is refused when the agent starts.
@Suite("http plugin: the server is the configuration's")
struct HTTPServerChoiceTests {
    @Test("a field before the path is refused, naming the field", arguments: [
        ("http://{tenant}.api.test/orders", "tenant"),
        ("https://api.test:{port}/orders", "port"),
        ("http://{user}@api.test/orders", "user"),
        ("http://api.{zone}", "zone"),
    ])
    func fieldInHostRefused(url: String, field: String) async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try harness.installBuiltPlugin(product: "SluiceHTTP", as: "http", sidecar: "config:\n  url: \"\(url)\"\n")
        try await harness.withRuntime { runtime in
            #expect(runtime.agents.isEmpty)
            let refusal = try #require(runtime.refusals.first).description
            #expect(refusal.contains("'url': the field '{\(field)}' is in the host"), "\(refusal)")
        }
    }

    @Test("fields in the path and the query are accepted")
    func fieldsInPathAndQueryAccepted() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try harness.installBuiltPlugin(product: "SluiceHTTP", as: "http",
                                       sidecar: "config:\n  url: \"http://127.0.0.1:1/{tenant}/orders?user={user}\"\n")
        try await harness.withRuntime { runtime in
            #expect(runtime.refusals.isEmpty, "\(runtime.refusals)")
            #expect(runtime.agents.count == 1)
        }
    }
}
