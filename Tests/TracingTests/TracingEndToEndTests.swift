import Foundation
import SluiceHost
import Testing
import TestSupport

/// Traces followed end to end: a host on memory:// with real plugins, a
/// recording HTTP service, and an OTLP/HTTP receiver that decodes the spans
/// swift-otel exports.
@Suite("tracing end to end")
struct TracingEndToEndTests {
    static let incoming = TraceParent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")!

    @Test("an order with traceparent: the http request and the record produced to quality continue its trace, and both batch spans are exported")
    func tracedOrder() async throws {
        let receiver = try OTLPTraceReceiver()
        defer { receiver.stop() }
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let settings = TracingHarness.settings(exportingTo: receiver)
        let harness = try TracingHarness.harness(tracing: settings)
        defer { harness.remove() }
        try TracingHarness.installPipeline(harness, server: server)
        harness.broker.append(TracingHarness.order(1, traceparent: Self.incoming.description))
        let incoming = Self.incoming

        try await TracingHarness.withTracing(settings) { tracing in
            try await harness.withRuntime(tracing: tracing) { _ in
                try await eventually("the request and the enriched order") {
                    server.requestCount >= 1 && harness.count("quality") >= 1
                }
            }
            try await eventually("both batch spans exported") {
                receiver.spans.filter { $0.traceID == incoming.traceID }.count >= 2
            }
        }

        // The recording service saw the trace, with the http agent's batch span as parent.
        let request = try #require(server.requests.first)
        let sent = try #require(request.header("traceparent").flatMap(TraceParent.init), "no valid traceparent on the request")
        #expect(sent.traceID == incoming.traceID)
        #expect(sent.isSampled)
        // The record produced to quality carries it, with the enricher's batch span as parent.
        let quality = try #require(harness.records("quality").first?.record)
        let produced = try #require(quality.header("traceparent").flatMap(TraceParent.init), "no valid traceparent on the produced record")
        #expect(produced.traceID == incoming.traceID)

        // The exported batch spans continue the incoming trace.
        let spans = receiver.spans
        let httpSpan = try #require(spans.first { $0.attributes["sluice.agent"] == "http" })
        let enricherSpan = try #require(spans.first { $0.attributes["sluice.agent"] == "enricher" })
        for span in [httpSpan, enricherSpan] {
            #expect(span.traceID == incoming.traceID)
            #expect(span.parentSpanID == incoming.parentID)
            #expect(span.name == "process orders")
            #expect(span.kind == 5) // consumer
            #expect(span.serviceName == "sluice-tracing-test")
            #expect(span.attributes["messaging.destination.name"] == "orders")
            #expect(span.attributes["messaging.batch.message_count"] == "1")
            #expect(span.links.isEmpty)
        }
        #expect(sent.parentID == httpSpan.spanID)
        #expect(produced.parentID == enricherSpan.spanID)
        #expect(receiver.refusals.isEmpty)
    }

    @Test("an order without traceparent starts a new trace when tracing is on")
    func newTrace() async throws {
        let receiver = try OTLPTraceReceiver()
        defer { receiver.stop() }
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let settings = TracingHarness.settings(exportingTo: receiver)
        let harness = try TracingHarness.harness(tracing: settings)
        defer { harness.remove() }
        try TracingHarness.installPipeline(harness, server: server)
        harness.broker.append(TracingHarness.order(2))

        try await TracingHarness.withTracing(settings) { tracing in
            try await harness.withRuntime(tracing: tracing) { _ in
                try await eventually("the request and the enriched order") {
                    server.requestCount >= 1 && harness.count("quality") >= 1
                }
            }
            try await eventually("both batch spans exported") { receiver.spans.count >= 2 }
        }

        let sent = try #require(server.requests.first?.header("traceparent").flatMap(TraceParent.init))
        let produced = try #require(harness.records("quality").first?.record.header("traceparent").flatMap(TraceParent.init))
        let spans = receiver.spans
        let httpSpan = try #require(spans.first { $0.attributes["sluice.agent"] == "http" })
        let enricherSpan = try #require(spans.first { $0.attributes["sluice.agent"] == "enricher" })
        // Each agent's batch is a root span of its own new trace.
        #expect(httpSpan.parentSpanID.isEmpty)
        #expect(enricherSpan.parentSpanID.isEmpty)
        #expect((sent.traceID, sent.parentID) == (httpSpan.traceID, httpSpan.spanID))
        #expect((produced.traceID, produced.parentID) == (enricherSpan.traceID, enricherSpan.spanID))
        #expect(httpSpan.attributes["sluice.trace.traced_records"] == "0")
    }

    @Test("tracing off: no traceparent is added to requests or produced records, and none is read")
    func off() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let harness = try TracingHarness.harness(tracing: nil)
        defer { harness.remove() }
        try TracingHarness.installPipeline(harness, server: server)
        harness.broker.append(TracingHarness.order(3))
        harness.broker.append(TracingHarness.order(4, traceparent: Self.incoming.description))
        try await harness.withRuntime { _ in
            try await eventually("two requests and two enriched orders") {
                server.requestCount >= 2 && harness.count("quality") >= 2
            }
        }
        #expect(server.requests.allSatisfy { $0.header("traceparent") == nil })
        #expect(harness.records("quality").allSatisfy { $0.record.header("traceparent") == nil })
    }

    @Test("a batch of several traces continues the first and links the others; a plugin built against ABI 1.0 gets traceparent on what it produces")
    func linksAndABI1_0Plugin() async throws {
        let receiver = try OTLPTraceReceiver()
        defer { receiver.stop() }
        let settings = TracingHarness.settings(exportingTo: receiver)
        let harness = try TracingHarness.harness(tracing: settings)
        defer { harness.remove() }
        try await TracingHarness.installRecorderBuiltAgainstABI1_0(harness)
        let other = TraceParent("00-11111111111111111111111111111111-2222222222222222-01")!
        let sameAsFirst = TraceParent("00-0af7651916cd43dd8448eb211c80319c-3333333333333333-01")!
        harness.broker.append(TracingHarness.order(1, traceparent: Self.incoming.description))
        harness.broker.append(TracingHarness.order(2, traceparent: other.description))
        harness.broker.append(TracingHarness.order(3, traceparent: sameAsFirst.description)) // no second link to the same trace
        harness.broker.append(TracingHarness.order(4))
        harness.broker.append(TracingHarness.order(5, traceparent: "00-not-a-valid-traceparent"))

        try await TracingHarness.withTracing(settings) { tracing in
            try await harness.withRuntime(tracing: tracing) { _ in
                try await eventually("five recorded") { harness.count("recorded") >= 5 }
            }
            try await eventually("the batch span exported") { !receiver.spans.isEmpty }
        }

        let spans = receiver.spans
        #expect(spans.count == 1, "\(spans)")
        let span = try #require(spans.first)
        #expect(span.traceID == Self.incoming.traceID)
        #expect(span.parentSpanID == Self.incoming.parentID)
        #expect(span.links == [.init(traceID: other.traceID, spanID: other.parentID)])
        #expect(span.attributes["messaging.batch.message_count"] == "5")
        #expect(span.attributes["sluice.trace.traced_records"] == "3")
        // Every record the 1.0 plugin produced carries the batch span's context.
        let recorded = harness.records("recorded").map(\.record)
        #expect(recorded.count == 5)
        for record in recorded {
            let trace = try #require(record.header("traceparent").flatMap(TraceParent.init))
            #expect((trace.traceID, trace.parentID) == (span.traceID, span.spanID))
            #expect(record.header("recorder.version") == "built-against-1.0")
        }
    }

    @Test("sampling: an unsampled caller's trace is propagated with flag 00 and not exported; new traces follow sample_ratio")
    func sampling() async throws {
        let receiver = try OTLPTraceReceiver()
        defer { receiver.stop() }
        let settings = TracingHarness.settings(exportingTo: receiver, sampleRatio: 0)
        let harness = try TracingHarness.harness(tracing: settings)
        defer { harness.remove() }
        // One record per batch, in this order: each batch's span ends before the next starts.
        try await TracingHarness.installRecorderBuiltAgainstABI1_0(harness, batchSize: 1)
        let unsampled = TraceParent("00-44444444444444444444444444444444-5555555555555555-00")!
        harness.broker.append(TracingHarness.order(1, traceparent: unsampled.description))
        harness.broker.append(TracingHarness.order(2)) // a new trace: ratio 0 samples none
        harness.broker.append(TracingHarness.order(3, traceparent: Self.incoming.description)) // sampled by its caller

        try await TracingHarness.withTracing(settings) { tracing in
            try await harness.withRuntime(tracing: tracing) { _ in
                try await eventually("three recorded") { harness.count("recorded") >= 3 }
            }
            try await eventually("the sampled batch's span exported") { !receiver.spans.isEmpty }
        }

        // Only the caller-sampled batch was exported (the earlier ones ended first).
        #expect(receiver.spans.map(\.traceID) == [Self.incoming.traceID])
        let traces = try harness.records("recorded").map { try #require($0.record.header("traceparent").flatMap(TraceParent.init)) }
        #expect(traces.count == 3)
        #expect(traces[0].traceID == unsampled.traceID)
        #expect(!traces[0].isSampled)
        #expect(traces[1].traceID != unsampled.traceID && traces[1].traceID != Self.incoming.traceID)
        #expect(!traces[1].isSampled)
        #expect(traces[2].traceID == Self.incoming.traceID)
        #expect(traces[2].isSampled)
    }

    @Test("the influxdb and elasticsearch plugins send the batch span's traceparent on their requests")
    func influxAndElasticsearchRequests() async throws {
        let receiver = try OTLPTraceReceiver()
        defer { receiver.stop() }
        // One recording service stands in for both sinks: only the requests' headers matter here.
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        server.setResponder { request in
            switch request.path {
            case "/write": .status(204)
            case "/_bulk": .respond(status: 200, headers: ["Content-Type": "application/json"],
                                    body: #"{"took":1,"errors":false,"items":[{"index":{"_index":"orders","_id":"o1","status":201}}]}"#)
            default: .status(404)
            }
        }
        let settings = TracingHarness.settings(exportingTo: receiver)
        let harness = try TracingHarness.harness(tracing: settings)
        defer { harness.remove() }
        try harness.installBuiltPlugin(product: "SluiceInfluxDB", as: "influxdb", sidecar: """
            topics: [orders]
            config:
              url: \(server.baseURL)
              database: market
              mode: write
              measurement: orders
              tags: [symbol]
              fields: [price]
              time_field: null
              flush_interval_ms: 10
              gzip: false
            """)
        try harness.installBuiltPlugin(product: "SluiceElasticsearch", as: "elasticsearch", sidecar: """
            topics: [orders]
            config:
              url: \(server.baseURL)
              mode: index
              index: orders
              id_field: id
            """)
        harness.broker.append(TracingHarness.order(1, traceparent: Self.incoming.description))

        try await TracingHarness.withTracing(settings) { tracing in
            try await harness.withRuntime(tracing: tracing) { _ in
                try await eventually("a write and a bulk request") {
                    Set(server.requests.map(\.path)).isSuperset(of: ["/write", "/_bulk"])
                }
            }
            try await eventually("both batch spans exported") { receiver.spans.count >= 2 }
        }

        let spans = receiver.spans
        for (path, agent) in [("/write", "influxdb"), ("/_bulk", "elasticsearch")] {
            let request = try #require(server.requests.first { $0.path == path })
            let sent = try #require(request.header("traceparent").flatMap(TraceParent.init), "\(path) carried no valid traceparent")
            let span = try #require(spans.first { $0.attributes["sluice.agent"] == agent })
            #expect(sent.traceID == Self.incoming.traceID, "\(path)")
            #expect((sent.traceID, sent.parentID) == (span.traceID, span.spanID), "\(path)")
            #expect(span.parentSpanID == Self.incoming.parentID)
        }
    }

    @Test("a collector that is down costs spans, never records")
    func collectorDown() async throws {
        var settings = TracingSettings()
        settings.enabled = true
        // The discard port: privileged, so no test server gets it, and nothing listens there.
        settings.endpoint = "http://127.0.0.1:9"
        let harness = try TracingHarness.harness(tracing: settings)
        defer { harness.remove() }
        try await TracingHarness.installRecorderBuiltAgainstABI1_0(harness, batchSize: 1)
        for index in 0..<20 { harness.broker.append(TracingHarness.order(index, traceparent: Self.incoming.description)) }
        try await TracingHarness.withTracing(settings) { tracing in
            try await harness.withRuntime(tracing: tracing) { _ in
                try await eventually("twenty recorded") { harness.count("recorded") >= 20 }
            }
        }
        let traces = harness.records("recorded").compactMap { $0.record.header("traceparent").flatMap(TraceParent.init) }
        #expect(traces.count == 20)
        #expect(traces.allSatisfy { $0.traceID == Self.incoming.traceID })
    }
}
