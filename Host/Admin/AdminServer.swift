import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import SluiceHost

/// The admin HTTP API (docs/admin-api.md) as a swift-service-lifecycle
/// `Service`: run it in the same `ServiceGroup` as the runtime.
///
/// It listens on `admin.host:admin.port` (127.0.0.1:6066 by default). Bound to
/// anything but loopback it requires a bearer token; with a token set, every
/// endpoint except `/healthz` requires `Authorization: Bearer <token>`.
public final class AdminServer: Service, Sendable {
    /// The largest request body accepted (larger ones get a 413).
    public static let defaultMaxBodyBytes = 8 * 1024 * 1024

    private let runtime: SluiceRuntime
    private let settings: AdminSettings
    private let registry: PrometheusCollectorRegistry
    private let maxBodyBytes: Int
    private let produceTimeout: Duration
    private let logger: Logger
    private let bound = BoundPort()

    /// Creates the server for `runtime`, listening as `configuration` says.
    ///
    /// - Parameters:
    ///   - registry: the registry swift-metrics reports into, emitted by
    ///     `/metrics` (default: `AdminMetrics.bootstrap()`, which bootstraps
    ///     swift-metrics if nothing did yet).
    ///   - maxBodyBytes: the request body limit.
    ///   - produceTimeout: how long `POST /topics/{topic}/messages` waits for
    ///     the broker's acknowledgements before answering 504.
    /// - Throws: `AdminServerError.tokenRequired` when `configuration.host`
    ///   is not a loopback address and no token is set.
    public init(runtime: SluiceRuntime, configuration: AdminSettings,
                registry: PrometheusCollectorRegistry = AdminMetrics.bootstrap(),
                maxBodyBytes: Int = AdminServer.defaultMaxBodyBytes,
                produceTimeout: Duration = .seconds(30), logger: Logger) throws(AdminServerError) {
        guard (0...65535).contains(configuration.port) else { throw .invalidPort(configuration.port) }
        if !LoopbackAddress.contains(configuration.host), configuration.token?.isEmpty ?? true {
            throw .tokenRequired(host: configuration.host)
        }
        self.runtime = runtime
        settings = configuration
        self.registry = registry
        self.maxBodyBytes = maxBodyBytes
        self.produceTimeout = produceTimeout
        self.logger = logger
    }

    /// The port the server listens on, once it does (useful with port 0).
    /// Throws the server's error if it fails to start.
    public func boundPort() async throws -> Int {
        try await bound.value()
    }

    /// `Service`: listens until the service group shuts down gracefully (or the task is cancelled).
    public func run() async throws {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware(maxBodyBytes: maxBodyBytes))
        if let token = settings.token, !token.isEmpty {
            router.add(middleware: BearerTokenMiddleware(token: BearerToken(token)))
        }
        AdminRoutes(runtime: runtime, registry: registry, collector: RuntimeMetricsCollector(runtime: runtime),
                    maxBodyBytes: maxBodyBytes, produceTimeout: produceTimeout)
            .register(on: router)

        let host = settings.host
        let logger = logger
        let bound = bound
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: settings.port), serverName: "sluice"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                // The token is deliberately not part of this line.
                logger.notice("admin API listening", metadata: [
                    "address": .string("\(host):\(port)"),
                    "authentication": .string(self.settings.token == nil ? "none (loopback only)" : "bearer token"),
                ])
                bound.set(port)
            },
            logger: logger)
        do {
            try await application.run()
            bound.fail(CancellationError())
        } catch {
            bound.fail(error)
            throw error
        }
    }
}
