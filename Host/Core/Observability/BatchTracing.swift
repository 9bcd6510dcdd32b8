import CSluicePlugin
import Tracing

/// Tracing of delivered batches (W3C trace context), for one host.
///
/// Each delivery gets ONE span, `process <topic>` of kind consumer. The first
/// record that carries a valid `traceparent` header is its parent, so a batch
/// whose records share a trace continues that trace; the distinct other traces
/// of the batch become links (at most ``maxLinks``, the rest counted in the
/// `sluice.trace.links_dropped` attribute). A batch without any traced record
/// starts a new trace, which the tracer's sampler may drop (a `sample_ratio`).
/// A caller's sampled flag is respected: an unsampled parent gives an
/// unsampled batch span, whose context is still propagated with flag 00.
///
/// Only built when tracing is on: with tracing off the host never reads a
/// record header and allocates nothing for it.
public struct BatchTracing: Sendable {
    /// The most links one batch span carries.
    public static let maxLinks = 32

    /// The tracer that starts the spans (swift-otel's in `sluice run`).
    public let tracer: any Tracer

    /// Tracing through `tracer`.
    public init(tracer: any Tracer) {
        self.tracer = tracer
    }

    /// The traces the records of `messages` carry: the parent for the batch
    /// span, and the distinct others (capped) to link to.
    struct RecordTraces {
        var parent: TraceParent?
        var links: [TraceParent] = []
        var droppedLinks = 0
        var tracedRecords = 0
    }

    /// Scans the `traceparent` headers of `messages`: 11-byte name compare,
    /// then a fixed 55-byte parse. Invalid values are ignored, as W3C asks.
    static func recordTraces(_ messages: UnsafeMutableBufferPointer<sluice_message>) -> RecordTraces {
        var traces = RecordTraces()
        for message in messages {
            guard let trace = traceParent(of: message) else { continue }
            traces.tracedRecords += 1
            guard let parent = traces.parent else {
                traces.parent = trace
                continue
            }
            if parent.sameTrace(as: trace) || traces.links.contains(where: { $0.sameTrace(as: trace) }) { continue }
            if traces.links.count < maxLinks {
                traces.links.append(trace)
            } else {
                traces.droppedLinks += 1
            }
        }
        return traces
    }

    /// The record's first valid `traceparent` header, if any.
    static func traceParent(of message: sluice_message) -> TraceParent? {
        guard let headers = message.headers else { return nil }
        for index in 0..<message.header_count {
            let header = headers[index]
            guard let name = header.name, let value = header.value,
                  TraceParent.isHeaderName(UnsafeRawBufferPointer(start: name, count: header.name_len)) else { continue }
            return TraceParent(bytes: UnsafeRawBufferPointer(start: value, count: header.value_len))
        }
        return nil
    }

    /// Starts the span of `delivery` for `agent` (consumer group `group`).
    func startSpan(for delivery: BatchContext, agent: String, group: String) -> BatchSpan {
        let traces = Self.recordTraces(delivery.messages)
        var parentContext = ServiceContext.topLevel
        if let parent = traces.parent { parentContext = context(of: parent) }
        let topic = delivery.handle.partition.topic
        let span = tracer.startSpan("process \(topic)", context: parentContext, ofKind: .consumer)
        span.attributes["messaging.system"] = "sluice"
        span.attributes["messaging.operation.type"] = "process"
        span.attributes["messaging.destination.name"] = topic
        span.attributes["messaging.destination.partition.id"] = String(delivery.handle.partition.partition)
        span.attributes["messaging.consumer.group.name"] = group
        span.attributes["messaging.batch.message_count"] = delivery.count
        span.attributes["sluice.agent"] = agent
        span.attributes["sluice.attempt"] = Int(delivery.attempt)
        span.attributes["sluice.trace.traced_records"] = traces.tracedRecords
        if traces.droppedLinks > 0 { span.attributes["sluice.trace.links_dropped"] = traces.droppedLinks }
        for link in traces.links {
            span.addLink(SpanLink(context: context(of: link), attributes: [:]))
        }
        var carrier: [String: String] = [:]
        tracer.inject(span.context, into: &carrier, using: TraceParentCarrier.Injector())
        return BatchSpan(span: span, traceParent: carrier[TraceParent.headerName].flatMap(TraceParent.init))
    }

    /// A context holding `trace` as a remote parent, as the tracer reads it.
    private func context(of trace: TraceParent) -> ServiceContext {
        var context = ServiceContext.topLevel
        tracer.extract([TraceParent.headerName: trace.description], into: &context, using: TraceParentCarrier.Extractor())
        return context
    }
}

extension TraceParent {
    /// Whether both name the same trace.
    func sameTrace(as other: TraceParent) -> Bool {
        traceIDHigh == other.traceIDHigh && traceIDLow == other.traceIDLow
    }
}
