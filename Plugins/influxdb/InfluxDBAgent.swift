import SluiceHTTPClient
import SluiceSDK

/// The `influxdb` agent (Faust's aioinflux example, without its injection hole).
///
/// - **enrich** (default): each order on `orders` gets the market price of its
///   symbol at or before its time from InfluxDB (bound parameters, one request
///   per batch) and goes to `quality`, keyed by the order id.
/// - **write**: each record becomes a line-protocol point, written in batches
///   of up to `max_lines`.
///
/// A ``BatchAgent``: every batch that needs InfluxDB is answered PENDING and
/// completed from the HTTP client's thread, so the host keeps consuming meanwhile.
public struct InfluxDBAgent: BatchAgent {
    /// The plugin's `config:`.
    public typealias Configuration = InfluxConfiguration

    /// `influxdb`.
    public static let name = "influxdb"
    /// The plugin version.
    public static let version = "1.0.0"
    /// One line for `sluice plugins inspect`.
    public static let summary: String? = "Enriches orders with the market price from InfluxDB, or writes records as points"
    /// Faust's example topic.
    public static let topics = ["orders"]
    /// Answers PENDING, produces (enrich mode), keeps no state between batches.
    public static let capabilities: Capabilities = [.pending, .produces, .stateless]

    /// What the instance does, by mode.
    private enum Work: Sendable {
        case enrich(PriceEnricher)
        case write(PointWriter)
    }

    private let work: Work

    /// Checks the configuration (see ``InfluxConfiguration/validate()``).
    public static func validate(_ configuration: InfluxConfiguration) throws {
        try configuration.validate()
    }

    /// Creates the HTTP client and the mode's worker.
    public init(configuration: InfluxConfiguration, host: HostServices) throws {
        var http = HTTPClientConfiguration()
        http.maxConnections = configuration.maxConnections
        http.connectTimeout = .milliseconds(configuration.connectTimeoutMilliseconds)
        http.requestTimeout = .milliseconds(configuration.timeoutMilliseconds)
        // Only /write decodes a gzip body in InfluxDB 1.x; /query does not.
        http.gzipRequests = configuration.gzip && configuration.mode == .write
        let connectionsOpened = host.counter("http_connections_opened")
        http.connectionsOpened = { connectionsOpened.add(Int64($0)) }
        let client = try HTTPClient(configuration: http)
        let endpoint = InfluxEndpoint(baseURL: configuration.url, database: configuration.database,
                                      retentionPolicy: configuration.retentionPolicy,
                                      username: configuration.username, password: try configuration.effectivePassword())
        switch configuration.mode {
        case .enrich:
            work = .enrich(PriceEnricher(client: client, endpoint: endpoint, configuration: configuration, host: host))
            host.log(.info, "enriching orders with \(configuration.measurement).\(configuration.field) from \(endpoint.baseURL) into \(configuration.output)")
        case .write:
            work = .write(PointWriter(client: client, endpoint: endpoint, configuration: configuration, host: host))
            host.log(.info, "writing records as \(configuration.measurement) points to \(endpoint.baseURL), database \(configuration.database)")
        }
    }

    /// Handles a batch in the configured mode (PENDING when InfluxDB is asked).
    public func handle(_ batch: inout MessageBatch) throws {
        switch work {
        case .enrich(let enricher): enricher.handle(&batch)
        case .write(let writer): writer.handle(&batch)
        }
    }

    /// Writes buffered points now; the SDK then waits for the pending batches.
    public func flush() throws {
        if case .write(let writer) = work { writer.flushBuffered() }
    }
}

/// The influxdb agent's descriptor for the host. The exported C symbol lives
/// in `Entry/` (target SluiceInfluxDBEntry), so test targets can link this module
/// beside other plugins without two `sluice_plugin_entry_v1` definitions.
public func influxDBPluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
    SluicePlugin.export(InfluxDBAgent.self, major, minor)
}
