import Tracing

/// The carrier through which the host hands one `traceparent` to a tracer
/// and reads one back: a dictionary of header name to value. The host never
/// propagates `tracestate` or baggage (records carry what their producer put there).
enum TraceParentCarrier {
    /// Reads header values from a dictionary.
    struct Extractor: Instrumentation.Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }

    /// Writes header values into a dictionary.
    struct Injector: Instrumentation.Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }
}
