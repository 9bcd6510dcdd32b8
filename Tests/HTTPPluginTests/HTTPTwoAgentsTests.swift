import Foundation
import SluiceHost
import Testing
import TestSupport

/// One http plugin file, two agents: each sidecar names the plugin and calls
/// its own service, over real HTTP on loopback.
@Suite("http plugin: two agents of one plugin")
struct HTTPTwoAgentsTests {
    @Test("two agents call two services, each with its own records, method and path")
    func twoServices() async throws {
        let billing = try HTTPRecordingServer()
        defer { billing.stop() }
        let shipping = try HTTPRecordingServer()
        defer { shipping.stop() }
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try harness.installBuiltPlugin(product: "SluiceHTTP", as: "http")
        try harness.writeSidecar("billing", """
            plugin: http
            topics: [invoices]
            config:
              url: \(billing.baseURL)/invoices/{id}
              method: PUT
              passthrough: true
            """)
        try harness.writeSidecar("shipping", """
            plugin: http
            topics: [parcels]
            config:
              url: \(shipping.baseURL)/parcels/{id}
              method: POST
              passthrough: true
            """)
        for index in 0..<20 {
            harness.broker.append(OutgoingRecord(topic: "invoices", key: Array("i\(index)".utf8),
                                                 value: Array(#"{"id":"inv\#(index)"}"#.utf8)))
        }
        for index in 0..<15 {
            harness.broker.append(OutgoingRecord(topic: "parcels", key: Array("p\(index)".utf8),
                                                 value: Array(#"{"id":"par\#(index)"}"#.utf8)))
        }
        try await harness.withRuntime { runtime in
            #expect(runtime.agents.map(\.name) == ["billing", "shipping"])
            #expect(runtime.agents.map(\.plugin) == ["http", "http"])
            try await eventually(timeout: .seconds(60), "every record sent to its service (\(runtime.agents), \(runtime.refusals))") {
                billing.requestCount >= 20 && shipping.requestCount >= 15
                    && runtime.agents.allSatisfy { $0.processed + $0.deadLettered >= ($0.name == "billing" ? 20 : 15) }
            }
            #expect(runtime.agents.allSatisfy { $0.deadLettered == 0 }, "\(runtime.agents.map(\.lastError))")
        }
        #expect(Set(billing.requests.map(\.path)) == Set((0..<20).map { "/invoices/inv\($0)" }))
        #expect(billing.requests.allSatisfy { $0.method == "PUT" })
        #expect(Set(shipping.requests.map(\.path)) == Set((0..<15).map { "/parcels/par\($0)" }))
        #expect(shipping.requests.allSatisfy { $0.method == "POST" })
    }
}
