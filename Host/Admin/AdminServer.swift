import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import SluiceHost

/// The admin HTTP API (docs/admin-api.md) as a swift-service-lifecycle
/// `Service`: run it in the same `ServiceGroup` as the runtime.
///
/// It listens on `admin.host:admin.port` (127.0.0.1:6066 by default). Bound to
/// anything but loopback it requires a bearer token (`admin.token` or
/// `admin.token_file`); with a token set, every endpoint except `/healthz`
/// requires `Authorization: Bearer <token>`. Whatever the token, it refuses
/// what only web pages send (cross-site state changes, form posts, and on
/// loopback a foreign `Host`), and holds every connection to the limits of
/// `AdminSettings` before reading its request.
public final class AdminServer: Service, Sendable {
    /// The largest request body accepted (larger ones get a 413).
    public static let defaultMaxBodyBytes = 8 * 1024 * 1024
    /// The longest URL (path and query) accepted; longer ones get a JSON 414.
    public static let maxURLBytes = 8 * 1024
    /// The HTTP decoder's limit on the URL and on each header field, and on
    /// all of them together. Above ``maxURLBytes`` so that a long URL reaches
    /// the router and gets its 414; a head over these gets a JSON 431.
    static let maxHeadFieldBytes = 128 * 1024
    static let maxHeadBytes = 256 * 1024
    /// The most header fields a request may have (a JSON 431 above).
    static let maxHeaderFields = 100

    private let runtime: SluiceRuntime
    private let settings: AdminSettings
    private let registry: PrometheusCollectorRegistry
    private let maxBodyBytes: Int
    private let produceTimeout: Duration
    private let logger: Logger
    private let token: BearerToken?
    private let connections: ConnectionLimit
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
    ///   is not a loopback address and no token is set; the token errors of
    ///   `AdminServerError` for a blank token or a token file that is
    ///   unreadable, open to other users or owned by another user.
    public init(runtime: SluiceRuntime, configuration: AdminSettings,
                registry: PrometheusCollectorRegistry = AdminMetrics.bootstrap(),
                maxBodyBytes: Int = AdminServer.defaultMaxBodyBytes,
                produceTimeout: Duration = .seconds(30), logger: Logger) throws(AdminServerError) {
        guard (0...65535).contains(configuration.port) else { throw .invalidPort(configuration.port) }
        guard configuration.maxConnections >= 1 else { throw .invalidConnectionLimit(configuration.maxConnections) }
        token = try AdminTokenSource.token(of: configuration)
        if !LoopbackAddress.contains(configuration.host), token == nil {
            throw .tokenRequired(host: configuration.host)
        }
        connections = ConnectionLimit(maximum: configuration.maxConnections)
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
        // Outermost first: every refusal below becomes JSON; the cheap checks
        // that need no secret come before the token.
        router.add(middleware: JSONErrorMiddleware(maxBodyBytes: maxBodyBytes))
        router.add(middleware: RequestTargetLimitMiddleware(maxBytes: Self.maxURLBytes))
        // Off loopback a token is required, and the names clients use for the host cannot be listed.
        if LoopbackAddress.contains(settings.host) {
            router.add(middleware: HostHeaderMiddleware(allowed: AllowedHosts(configuredHost: settings.host), bound: bound))
        }
        router.add(middleware: CrossSiteRequestMiddleware())
        if let token {
            router.add(middleware: BearerTokenMiddleware(token: token))
        }
        AdminRoutes(runtime: runtime, registry: registry, collector: RuntimeMetricsCollector(runtime: runtime),
                    maxBodyBytes: maxBodyBytes, produceTimeout: produceTimeout)
            .register(on: router)

        let host = settings.host
        let logger = logger
        let bound = bound
        let authentication = token == nil ? "none (loopback only)"
            : settings.tokenFile.map { "bearer token from \($0)" } ?? "bearer token"
        let application = Application(
            router: router,
            server: httpServer(),
            configuration: .init(address: .hostname(host, port: settings.port), serverName: "sluice"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                // The token is deliberately not part of this line.
                logger.notice("admin API listening", metadata: [
                    "address": .string("\(host):\(port)"),
                    "authentication": .string(authentication),
                ])
                if self.token == nil {
                    logger.warning("""
                        admin API has no token: every local user and program on this machine can drive the host; \
                        set admin.token_file on a shared machine
                        """)
                }
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

    /// HTTP/1.1 with the limits that apply before any authentication: the
    /// connection cap, the deadline for the first request head, the idle
    /// timeout, the decoder's head size limits (answered in JSON).
    private func httpServer() -> HTTPServerBuilder {
        let headTimeout = TimeAmount(settings.requestHeadTimeout)
        var configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                MalformedRequestHandler(maxFieldBytes: Self.maxHeadFieldBytes, maxHeadBytes: Self.maxHeadBytes,
                                        maxFields: Self.maxHeaderFields),
                RequestHeadDeadlineHandler(timeout: headTimeout),
            ],
            idleTimeout: TimeAmount(settings.idleTimeout))
        configuration.httpDecoder = .init(maxHeaderFieldSize: Self.maxHeadFieldBytes, maxHeaderListSize: Self.maxHeadBytes,
                                          maxHeaderFieldCount: Self.maxHeaderFields)
        let connections = connections
        let http1 = configuration
        return HTTPServerBuilder { responder in
            AdminHTTPChannel(http1: HTTP1Channel(responder: responder, configuration: http1), limit: connections)
        }
    }
}
