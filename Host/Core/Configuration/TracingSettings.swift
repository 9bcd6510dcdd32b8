/// Tracing with W3C trace context (yaml: `tracing:`). Off by default: then
/// the host neither reads nor writes `traceparent` headers and starts no span.
public struct TracingSettings: Sendable, Equatable {
    /// Whether batches get spans and `traceparent` is propagated (yaml: `tracing.enabled`).
    public var enabled: Bool = false
    /// The OTLP/HTTP (protobuf) base URL spans are exported to, such as
    /// `http://127.0.0.1:4318` (the host posts to `<endpoint>/v1/traces`);
    /// nil: spans are not exported unless `OTEL_EXPORTER_OTLP_ENDPOINT` or
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` names a collector (yaml: `tracing.endpoint`).
    public var endpoint: String?
    /// The `service.name` resource attribute of the exported spans (yaml: `tracing.service_name`).
    public var serviceName: String = "sluice"
    /// The share of NEW traces (batches whose records carry no `traceparent`)
    /// that are sampled, from 0 to 1; a continued trace follows its caller's
    /// sampled flag (yaml: `tracing.sample_ratio`).
    public var sampleRatio: Double = 1.0

    /// Tracing off; when on: no exporter, service `sluice`, every new trace sampled.
    public init() {}
}
