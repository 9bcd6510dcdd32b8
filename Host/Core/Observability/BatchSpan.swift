import Synchronization
import Tracing

/// The span of one delivered batch, and the `traceparent` that names it (what
/// the plugin reads through `trace_context` and what produced records carry).
/// Ended once: when on_batch returns DONE or FATAL, when complete() comes, or
/// when the batch times out, whichever is first.
final class BatchSpan: Sendable {
    /// The batch span as the tracer keeps it.
    let span: any Span
    /// The batch span's context in W3C form; nil if the tracer propagates none.
    let traceParent: TraceParent?
    /// The `traceparent` header produced records get, formatted once per batch
    /// (every record of the batch shares its bytes).
    let header: OutgoingRecord.Header?
    private let ended = Atomic<Bool>(false)

    init(span: any Span, traceParent: TraceParent?) {
        self.span = span
        self.traceParent = traceParent
        header = traceParent.map { OutgoingRecord.Header(name: TraceParent.headerName, value: $0.bytes) }
    }

    /// Ends the span (a second call does nothing); `failure` marks it as an error.
    func end(failure: String? = nil) {
        guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if let failure { span.setStatus(SpanStatus(code: .error, message: failure)) }
        span.end()
    }
}
