/// One span an ``OTLPTraceReceiver`` received, decoded from OTLP protobuf
/// (`opentelemetry.proto.trace.v1.Span`).
public struct OTLPReceivedSpan: Sendable, Equatable {
    /// One link of the span.
    public struct Link: Sendable, Equatable, Hashable {
        /// The linked trace id, 32 hex digits.
        public let traceID: String
        /// The linked span id, 16 hex digits.
        public let spanID: String

        /// A link to span `spanID` of trace `traceID`.
        public init(traceID: String, spanID: String) {
            self.traceID = traceID
            self.spanID = spanID
        }
    }

    /// `service.name` of the resource the span came with.
    public var serviceName: String?
    /// 32 hex digits.
    public var traceID = ""
    /// 16 hex digits.
    public var spanID = ""
    /// 16 hex digits; empty for a root span.
    public var parentSpanID = ""
    /// The operation name.
    public var name = ""
    /// OTLP's SpanKind number (5: consumer).
    public var kind: UInt64 = 0
    /// Attributes; integers, booleans and doubles as their text.
    public var attributes: [String: String] = [:]
    /// The span's links.
    public var links: [Link] = []
    /// OTLP's status code (2: error).
    public var statusCode: UInt64 = 0

    /// Decodes an `ExportTraceServiceRequest` body into its spans.
    public static func decodeExportRequest(_ body: [UInt8]) throws -> [OTLPReceivedSpan] {
        var spans: [OTLPReceivedSpan] = []
        for resourceSpans in try ProtobufWireReader.fields(body[...]) where resourceSpans.number == 1 {
            guard let resourceSpansBytes = resourceSpans.value.bytes else { continue }
            var serviceName: String?
            var scoped: [ArraySlice<UInt8>] = []
            for field in try ProtobufWireReader.fields(resourceSpansBytes) {
                switch (field.number, field.value.bytes) {
                case (1, let resource?):  // Resource: its attributes
                    for attribute in try ProtobufWireReader.fields(resource) where attribute.number == 1 {
                        if let (key, value) = try keyValue(attribute.value.bytes), key == "service.name" { serviceName = value }
                    }
                case (2, let scopeSpans?):
                    scoped.append(scopeSpans)
                default: break
                }
            }
            for scopeSpans in scoped {
                for field in try ProtobufWireReader.fields(scopeSpans) where field.number == 2 {
                    guard let spanBytes = field.value.bytes else { continue }
                    var span = try decodeSpan(spanBytes)
                    span.serviceName = serviceName
                    spans.append(span)
                }
            }
        }
        return spans
    }

    private static func decodeSpan(_ bytes: ArraySlice<UInt8>) throws -> OTLPReceivedSpan {
        var span = OTLPReceivedSpan()
        for field in try ProtobufWireReader.fields(bytes) {
            switch field.number {
            case 1: span.traceID = field.value.hex ?? ""
            case 2: span.spanID = field.value.hex ?? ""
            case 4: span.parentSpanID = field.value.hex ?? ""
            case 5: span.name = field.value.text ?? ""
            case 6: span.kind = field.value.integer ?? 0
            case 9:
                if let (key, value) = try keyValue(field.value.bytes) { span.attributes[key] = value }
            case 13:
                guard let link = field.value.bytes else { continue }
                var traceID = "", spanID = ""
                for part in try ProtobufWireReader.fields(link) {
                    if part.number == 1 { traceID = part.value.hex ?? "" }
                    if part.number == 2 { spanID = part.value.hex ?? "" }
                }
                span.links.append(Link(traceID: traceID, spanID: spanID))
            case 15:
                guard let status = field.value.bytes else { continue }
                for part in try ProtobufWireReader.fields(status) where part.number == 3 { span.statusCode = part.value.integer ?? 0 }
            default: break
            }
        }
        return span
    }

    /// A `KeyValue`: its key and its `AnyValue` as text.
    private static func keyValue(_ bytes: ArraySlice<UInt8>?) throws -> (String, String)? {
        guard let bytes else { return nil }
        var key: String?
        var value = ""
        for field in try ProtobufWireReader.fields(bytes) {
            if field.number == 1 { key = field.value.text }
            if field.number == 2, let any = field.value.bytes {
                for part in try ProtobufWireReader.fields(any) {
                    switch (part.number, part.value) {
                    case (1, .bytes(let text)): value = String(decoding: text, as: UTF8.self)
                    case (2, .varint(let flag)): value = flag == 0 ? "false" : "true"
                    case (3, .varint(let number)): value = String(Int64(bitPattern: number))
                    case (4, .fixed64(let bits)): value = String(Double(bitPattern: bits))
                    default: break
                    }
                }
            }
        }
        return key.map { ($0, value) }
    }
}
