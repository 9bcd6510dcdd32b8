import Foundation
import SluicePluginKit
import SluiceSDK

/// The plugin's `config:` (see docs/plugins/influxdb.md). Every key is
/// optional except `url` and `database`; unknown keys are refused, so a typo
/// does not silently fall back to a default.
public struct InfluxConfiguration: Decodable, Sendable {
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

    enum Key: String, CodingKey, CaseIterable {
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

    /// Any key name, to find the unknown ones.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes the configuration; unknown keys are an error naming the valid ones.
    public init(from decoder: any Decoder) throws {
        let all = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(Key.allCases.map(\.rawValue))
        if let unknown = all.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw ConfigurationError("unknown key '\(unknown)'; valid keys: \(known.sorted().joined(separator: ", "))")
        }
        let container = try decoder.container(keyedBy: Key.self)
        func value<T: Decodable>(_ key: Key, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        url = try value(.url, url)
        database = try value(.database, database)
        retentionPolicy = try container.decodeIfPresent(String.self, forKey: .retentionPolicy)
        username = try container.decodeIfPresent(String.self, forKey: .username)
        password = try container.decodeIfPresent(String.self, forKey: .password)
        passwordEnvironment = try container.decodeIfPresent(String.self, forKey: .passwordEnvironment)
        timeoutMilliseconds = try value(.timeoutMilliseconds, timeoutMilliseconds)
        connectTimeoutMilliseconds = try value(.connectTimeoutMilliseconds, connectTimeoutMilliseconds)
        maxConnections = try value(.maxConnections, maxConnections)
        gzip = try value(.gzip, gzip)
        mode = try value(.mode, mode)
        measurement = try value(.measurement, measurement)
        // An explicit null means "no time field" (write mode: the record timestamp).
        if container.contains(.timeField), try container.decodeNil(forKey: .timeField) {
            timeField = nil
        } else {
            timeField = try value(.timeField, "timestamp")
        }
        precision = try value(.precision, precision)
        field = try value(.field, field)
        tag = try value(.tag, tag)
        symbolField = try value(.symbolField, symbolField)
        idField = try value(.idField, idField)
        output = try value(.output, output)
        outputField = try value(.outputField, outputField)
        // YAML's bare `null` arrives as JSON null: it means the `null` policy, not "unset".
        if container.contains(.onMissingPrice), try container.decodeNil(forKey: .onMissingPrice) {
            onMissingPrice = .null
        } else {
            onMissingPrice = try value(.onMissingPrice, onMissingPrice)
        }
        measurementField = try container.decodeIfPresent(String.self, forKey: .measurementField)
        tags = try value(.tags, tags)
        fields = try value(.fields, fields)
        integerFields = try value(.integerFields, integerFields)
        maxLines = try value(.maxLines, maxLines)
        flushIntervalMilliseconds = try value(.flushIntervalMilliseconds, flushIntervalMilliseconds)
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

    /// Checks values decoding cannot: required keys, ranges, names.
    public func validate() throws {
        guard !database.isEmpty else { throw ConfigurationError("'database' is required") }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ConfigurationError("'url' must be an http:// or https:// URL, found '\(SecretRedaction.maskingURLCredentials(url))'")
        }
        guard !url.contains("@") else {
            throw ConfigurationError("'url' must not carry credentials; use 'username' and 'password'")
        }
        guard (1...3_600_000).contains(timeoutMilliseconds) else { throw ConfigurationError("'timeout_ms' must be 1…3600000") }
        guard (1...3_600_000).contains(connectTimeoutMilliseconds) else { throw ConfigurationError("'connect_timeout_ms' must be 1…3600000") }
        guard (1...256).contains(maxConnections) else { throw ConfigurationError("'max_connections' must be 1…256") }
        guard (1...1_000_000).contains(maxLines) else { throw ConfigurationError("'max_lines' must be 1…1000000") }
        guard (1...3_600_000).contains(flushIntervalMilliseconds) else { throw ConfigurationError("'flush_interval_ms' must be 1…3600000") }
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
