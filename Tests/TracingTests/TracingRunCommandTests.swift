import Foundation
import SluiceHost
import Testing
import TestSupport

/// `sluice run` with `tracing:` in sluice.yaml: the CLI builds the swift-otel
/// backend and runs its exporter in the service group, so it stops last.
@Suite("tracing in sluice run")
struct TracingRunCommandTests {
    @Test("spans of the batches drained at SIGTERM are exported before the process exits; OTEL_* variables apply")
    func exportedAtShutdown() async throws {
        try SluiceBinary.require()
        let receiver = try OTLPTraceReceiver()
        defer { receiver.stop() }
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await harness.installRecorder(sidecar: "topics: [orders]\nconfig:\n  output: recorded\n")
        let configuration = harness.directory.file("sluice.yaml")
        try """
            broker: memory://
            plugins_directory: \(harness.pluginsDirectory)
            data_directory: \(harness.directory.file("data"))
            memory:
              partitions: 1
            admin:
              port: 0
            tracing:
              enabled: true
              endpoint: \(receiver.baseURL)
              service_name: sluice-run-test
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        // Spans wait ten minutes to be batched: only the flush at shutdown can deliver them.
        let process = try SluiceProcess(configuration: configuration, logFile: harness.directory.file("sluice.log"),
                                        environment: ["OTEL_BSP_SCHEDULE_DELAY": "600000"])
        let port = try await process.adminPort()
        let incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        try await ProcessRunner.run([SluiceBinary.path, "send", "orders", #"{"id":"o1"}"#, "--header", "traceparent=\(incoming)",
                                     "--admin", "http://127.0.0.1:\(port)"])
        try await eventually("the recorded record") {
            try await process.adminGet("/topics/recorded/messages", adminPort: port).body.contains("traceparent")
        }
        let recorded = try await process.adminGet("/topics/recorded/messages", adminPort: port).body
        #expect(recorded.contains("0af7651916cd43dd8448eb211c80319c"), "\(recorded)")
        #expect(receiver.spans.isEmpty, "exported before the stop: \(receiver.spans)")

        #expect(try await process.terminate() == 0, "\(process.logTail())")
        let span = try #require(receiver.spans.first, "nothing exported at shutdown:\n\(process.logTail())")
        #expect(receiver.spans.count == 1)
        #expect(span.traceID == "0af7651916cd43dd8448eb211c80319c")
        #expect(span.parentSpanID == "b7ad6b7169203331")
        #expect(span.serviceName == "sluice-run-test")
        #expect(span.attributes["sluice.agent"] == "recorder")
        #expect(process.log.contains("tracing on"))
    }
}
