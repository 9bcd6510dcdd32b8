import Foundation
import SluicePluginKit
import SluiceSDK

/// The plugin's `config:` (see docs/plugins/influxdb.md), declared in
/// ``spec`` (InfluxConfiguration+Spec.swift), which refuses unknown keys,
/// wrong types and out-of-range values and fills in defaults before this
/// decodes. Every key is optional except `url` and `database`.
public struct InfluxConfiguration: DeclaredConfiguration {
    /// What the agent does with each record.
    public enum Mode: String, Decodable, Sendable {
        /// Look up the market price at the order's time and forward the enriched order (the default).
        case enrich
        /// Write each record as a point.
        case write
    }

    /// What happens to an order for which InfluxDB has no price at or before its time.
    public enum MissingPrice: String, Decodable, Sendable {
        /// Dead-letter the order (the default).
        case deadLetter = "dead_letter"
        /// Forward it with the output field set to `null`.
        case null

        /// Reads the policy; YAML's bare `null` arrives as JSON null and means the `null` policy.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null; return }
            let text = try container.decode(String.self)
            guard let policy = MissingPrice(rawValue: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected dead_letter or null")
            }
            self = policy
        }
    }

    // MARK: Connection
    /// Base URL of the InfluxDB 1.x HTTP API, e.g. `http://127.0.0.1:8086`.
    public var url = ""
    /// The database queried or written.
    public var database = ""
    /// A retention policy (queries read `"rp"."measurement"`; writes pass `rp=`), or nil for the default.
    public var retentionPolicy: String?
    /// HTTP basic-auth user, or nil.
    public var username: String?
    /// HTTP basic-auth password (never logged).
    public var password: String?
    /// Name of an environment variable holding the password (overrides `password`).
    public var passwordEnvironment: String?
    /// Whole-request timeout in milliseconds.
    public var timeoutMilliseconds = 10_000
    /// Connect timeout in milliseconds.
    public var connectTimeoutMilliseconds = 5_000
    /// Most concurrent connections to InfluxDB.
    public var maxConnections = 4
    /// Gzip request bodies (`Content-Encoding: gzip`; InfluxDB 1.x accepts it on `/write`).
    public var gzip = false

    /// `enrich` (default) or `write`.
    public var mode = Mode.enrich

    // MARK: Shared by both modes
    /// The measurement queried (enrich) or written (write).
    public var measurement = "marketdata"
    /// The record field holding the time (ISO-8601 text, or an integer in
    /// `precision` units). Nil in write mode: the record's own timestamp.
    public var timeField: String? = "timestamp"
    /// The unit of integer times in records, and of written timestamps.
    public var precision = Precision.nanoseconds

    // MARK: Enrich mode
    /// The price field of the measurement.
    public var field = "price"
    /// The tag of the measurement that holds the symbol.
    public var tag = "symbol"
    /// The order field holding the symbol.
    public var symbolField = "symbol"
    /// The order field holding the order id (the output key).
    public var idField = "id"
    /// The topic enriched orders go to.
    public var output = "quality"
    /// The field set in the order.
    public var outputField = "market_price"
    /// What to do when there is no price.
    public var onMissingPrice = MissingPrice.deadLetter

    // MARK: Write mode
    /// A record field whose value names the measurement (overrides `measurement`), or nil.
    public var measurementField: String?
    /// Record fields written as tags (tag key = field name).
    public var tags: [String] = []
    /// Record fields written as fields; empty: every other top-level scalar.
    public var fields: [String] = []
    /// Fields written as integers (`42i`); every other number is written as a float,
    /// so `101` and `101.5` never collide as different types.
    public var integerFields: [String] = []
    /// The most lines in one `/write` request.
    public var maxLines = 5_000
    /// How long lines may wait for more before they are written, in milliseconds.
    public var flushIntervalMilliseconds = 1_000

    /// The defaults (not valid until `url` and `database` are set).
    public init() {}

    enum CodingKeys: String, CodingKey {
        case url, database, username, password, mode, measurement, precision, gzip, field, tag, output, tags, fields
        case retentionPolicy = "retention_policy"
        case passwordEnvironment = "password_env"
        case timeoutMilliseconds = "timeout_ms"
        case connectTimeoutMilliseconds = "connect_timeout_ms"
        case maxConnections = "max_connections"
        case timeField = "time_field"
        case symbolField = "symbol_field"
        case idField = "id_field"
        case outputField = "output_field"
        case onMissingPrice = "on_missing_price"
        case measurementField = "measurement_field"
        case integerFields = "integer_fields"
        case maxLines = "max_lines"
        case flushIntervalMilliseconds = "flush_interval_ms"
    }

    /// The password to send: from `password_env` when set, else `password`.
    /// A `password_env` naming an unset variable is refused (the error names
    /// the key and the variable, never a value), as the redis and
    /// elasticsearch plugins refuse it: a silent fallback would send no password.
    public func effectivePassword(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        guard let passwordEnvironment else { return password }
        guard let value = environment[passwordEnvironment] else {
            throw ConfigurationError("'password_env': the environment variable \(passwordEnvironment) is not set")
        }
        return value
    }

    /// Kafka's topic-name characters.
    private static let topicCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".unicodeScalars)

    /// Checks what the declaration cannot: the URL's form, names on one
    /// line, one key against another, each mode's needs.
    public func validate() throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ConfigurationError("'url' must be an http:// or https:// URL, found '\(SecretRedaction.maskingURLCredentials(url))'")
        }
        guard !url.contains("@") else {
            throw ConfigurationError("'url' must not carry credentials; use 'username' and 'password'")
        }
        if (password != nil || passwordEnvironment != nil) && username == nil {
            throw ConfigurationError("'password' and 'password_env' need 'username'")
        }
        for (key, name) in [("measurement", measurement), ("field", field), ("tag", tag), ("symbol_field", symbolField),
                            ("id_field", idField), ("output_field", outputField)] {
            guard !name.isEmpty, !name.contains("\n") else { throw ConfigurationError("'\(key)' must be a non-empty name on one line") }
        }
        if let timeField, timeField.isEmpty { throw ConfigurationError("'time_field' must not be empty (use null for the record timestamp)") }
        if let retentionPolicy, retentionPolicy.isEmpty || retentionPolicy.contains("\n") {
            throw ConfigurationError("'retention_policy' must be a non-empty name on one line")
        }
        switch mode {
        case .enrich:
            guard timeField != nil else { throw ConfigurationError("enrich mode needs 'time_field' (the order's time)") }
            guard !output.isEmpty, output.count <= 249,
                  output.unicodeScalars.allSatisfy(Self.topicCharacters.contains)
            else { throw ConfigurationError("'output' must be a topic name (1–249 of a-z A-Z 0-9 . _ -), found '\(output)'") }
        case .write:
            if Set(tags).count != tags.count { throw ConfigurationError("'tags' lists a field twice") }
            if let overlap = tags.first(where: { fields.contains($0) }) {
                throw ConfigurationError("'\(overlap)' is in both 'tags' and 'fields'")
            }
            if let measurementField, measurementField.isEmpty { throw ConfigurationError("'measurement_field' must not be empty") }
        }
    }
}
