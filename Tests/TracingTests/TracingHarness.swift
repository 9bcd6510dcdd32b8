import Foundation
import Logging
import ServiceLifecycle
import SluiceHost
import SluiceOTel
import TestSupport

/// What the tracing tests share: settings aimed at a receiver, a running
/// swift-otel backend, and the pipeline of the product example (orders → the
/// http plugin, and orders → the enricher → quality).
enum TracingHarness {
    /// Tracing on, exported to `receiver`.
    static func settings(exportingTo receiver: OTLPTraceReceiver, sampleRatio: Double = 1) -> TracingSettings {
        var settings = TracingSettings()
        settings.enabled = true
        settings.endpoint = receiver.baseURL
        settings.serviceName = "sluice-tracing-test"
        settings.sampleRatio = sampleRatio
        return settings
    }

    /// Runs `body` with a swift-otel backend for `settings` (its exporter and
    /// span processor running, finished spans exported every 50 ms), then
    /// shuts the backend down, which exports what is left.
    static func withTracing<Value>(_ settings: TracingSettings,
                                   _ body: (BatchTracing) async throws -> Value) async throws -> Value {
        var logger = Logger(label: "sluice.test.tracing")
        logger.logLevel = .warning
        let backend = try OTelTracingBackend(settings: settings, exportInterval: .milliseconds(50), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [backend.service], logger: logger))
        let running = Task { try await group.run() }
        do {
            let value = try await body(backend.tracing)
            await group.triggerGracefulShutdown()
            try await running.value
            return value
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
    }

    /// The http plugin as agent `http` (orders → `server`), and the Swift
    /// example as agent `enricher` (orders → quality).
    static func installPipeline(_ harness: HostHarness, server: HTTPRecordingServer) throws {
        try harness.installBuiltPlugin(product: "SluiceHTTP", as: "http", sidecar: """
            topics: [orders]
            config:
              url: \(server.baseURL)/send/{user_id}
            """)
        try harness.installSwiftExample(sidecar: """
            config:
              output: quality
            """)
    }

    /// The C recorder, built against the frozen ABI 1.0 header, as agent
    /// `recorder` (orders → recorded).
    static func installRecorderBuiltAgainstABI1_0(_ harness: HostHarness, batchSize: Int = 500) async throws {
        try await CPluginCompiler.compile(
            sources: [RepositoryPaths.path("Tests/Fixtures/recorder.c")], output: harness.pluginsDirectory + "/recorder.so",
            includeDirectory: RepositoryPaths.path("Tests/Fixtures/abi-v1.0"),
            flags: ["-DAGENT_NAME=\"recorder\"", "-DAGENT_VERSION=\"built-against-1.0\""])
        try harness.writeSidecar("recorder", """
            topics: [orders]
            batch_size: \(batchSize)
            config:
              output: recorded
            """)
    }

    /// An order record as the demo's producer writes it, with `traceparent` when given.
    static func order(_ index: Int, traceparent: String? = nil) -> OutgoingRecord {
        let json = #"{"id":"o\#(index)","user_id":"u\#(index)","symbol":"ACME","quantity":\#(index + 1),"price":2.5}"#
        return OutgoingRecord(topic: "orders", key: Array("o\(index)".utf8), value: Array(json.utf8),
                              headers: traceparent.map { [.init(name: "traceparent", text: $0)] } ?? [])
    }

    /// A harness on one partition (so records arrive in order, in one batch).
    static func harness(tracing: TracingSettings?) throws -> HostHarness {
        var harness = try HostHarness(partitions: 1)
        if let tracing { harness.configuration.tracing = tracing }
        return harness
    }
}
