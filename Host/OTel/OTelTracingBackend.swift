import Foundation
import Logging
import OTel
import ServiceLifecycle
import SluiceHost
import Tracing

/// The tracer behind the host's batch spans: swift-otel's, exporting over
/// OTLP/HTTP (protobuf) when an endpoint is configured.
///
/// Run ``service`` beside the host (`sluice run` puts it in its service
/// group): it batches finished spans and exports them, and on a graceful
/// shutdown it exports what is left. The tracer is not bootstrapped as the
/// process's global one, so several hosts (tests) can each have their own.
///
/// swift-otel reads the standard `OTEL_*` variables over these settings
/// (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
/// `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_COMPRESSION`,
/// `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`,
/// `OTEL_BSP_*`, ...): a variable that is set wins over sluice.yaml.
public struct OTelTracingBackend: Sendable {
    /// What the host's runtime takes (`SluiceRuntime(tracing:)`).
    public let tracing: BatchTracing
    /// The exporter and span processor; run it for as long as the host runs.
    public let service: any Service
    /// Whether spans are exported (an endpoint is configured).
    public let exports: Bool

    /// A backend for `settings`. `exportInterval` overrides how long finished
    /// spans wait to be batched (swift-otel's default: 5 s; tests shorten it).
    public init(settings: TracingSettings, exportInterval: Duration? = nil, logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: min(1, max(0, settings.sampleRatio)))!
        if let interval = exportInterval { configuration.traces.batchSpanProcessor.scheduleDelay = interval }
        let fromEnvironment = environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil
            || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil
        if let endpoint = settings.endpoint {
            configuration.traces.exporter = .otlp
            configuration.traces.otlpExporter.endpoint = Self.tracesURL(base: endpoint)
        } else {
            configuration.traces.exporter = fromEnvironment ? .otlp : .none
        }
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        self.tracing = BatchTracing(tracer: tracer)
        self.service = service
        self.exports = settings.endpoint != nil || fromEnvironment
    }

    /// `<base>/v1/traces`, the OTLP/HTTP path for spans.
    public static func tracesURL(base: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/v1/traces"
    }
}
