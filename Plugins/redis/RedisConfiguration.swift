import SluiceSDK

/// The redis agent's settings (the sidecar's `config:`). Every key is
/// optional; the defaults are Faust's Redis example:
/// `ZADD <user> <timestamp as epoch seconds> <message>` on `127.0.0.1:6379/0`.
struct RedisConfiguration: Decodable, Sendable {
    /// `redis://[user:password@]host:port/db`.
    var url = "redis://127.0.0.1:6379/0"
    /// The password (overrides one in `url`). The host redacts keys named
    /// like `password` when it shows a configuration; it does not look inside `url`.
    var password: String?
    /// The name of an environment variable holding the password (overrides
    /// `password` and `url`), so the secret need not be written in the sidecar.
    var passwordEnvironment: String?
    /// The commands run per record, each a list of argument templates.
    var commands: [[String]] = [["ZADD", "{user}", "{timestamp:epoch}", "{message}"]]
    /// Prepended to each command's first argument (the Redis key).
    var keyPrefix = ""
    /// When set, `EXPIRE <key> <seconds>` follows the commands of each record, per key.
    var expireSeconds: Int?
    /// The most connections the instance opens (shared by its partitions).
    var poolSize = 4
    /// Timeout of a TCP connect, in milliseconds.
    var connectTimeoutMilliseconds = 2000
    /// Timeout of a read or write on a connection, in milliseconds.
    var timeoutMilliseconds = 5000
    /// First wait before reconnecting after a failure, in milliseconds; doubles per failure.
    var reconnectBackoffMilliseconds = 100
    /// Longest wait between reconnect attempts, in milliseconds.
    var reconnectBackoffMaxMilliseconds = 5000

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, commands, password
        case passwordEnvironment = "password_env"
        case keyPrefix = "key_prefix"
        case expireSeconds = "expire_seconds"
        case poolSize = "pool_size"
        case connectTimeoutMilliseconds = "connect_timeout_ms"
        case timeoutMilliseconds = "timeout_ms"
        case reconnectBackoffMilliseconds = "reconnect_backoff_ms"
        case reconnectBackoffMaxMilliseconds = "reconnect_backoff_max_ms"
    }

    init() {}

    init(from decoder: any Decoder) throws {
        // A misspelt key would silently fall back to a default: refuse it.
        let any = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = any.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw ConfigurationError("unknown key '\(unknown.stringValue)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decodeIfPresent(String.self, forKey: .url) ?? url
        password = try container.decodeIfPresent(String.self, forKey: .password)
        passwordEnvironment = try container.decodeIfPresent(String.self, forKey: .passwordEnvironment)
        commands = try container.decodeIfPresent([[String]].self, forKey: .commands) ?? commands
        keyPrefix = try container.decodeIfPresent(String.self, forKey: .keyPrefix) ?? keyPrefix
        expireSeconds = try container.decodeIfPresent(Int.self, forKey: .expireSeconds)
        poolSize = try container.decodeIfPresent(Int.self, forKey: .poolSize) ?? poolSize
        connectTimeoutMilliseconds = try container.decodeIfPresent(Int.self, forKey: .connectTimeoutMilliseconds)
            ?? connectTimeoutMilliseconds
        timeoutMilliseconds = try container.decodeIfPresent(Int.self, forKey: .timeoutMilliseconds) ?? timeoutMilliseconds
        reconnectBackoffMilliseconds = try container.decodeIfPresent(Int.self, forKey: .reconnectBackoffMilliseconds)
            ?? reconnectBackoffMilliseconds
        reconnectBackoffMaxMilliseconds = try container.decodeIfPresent(Int.self, forKey: .reconnectBackoffMaxMilliseconds)
            ?? reconnectBackoffMaxMilliseconds
    }

    /// Checks ranges and parses the URL and templates; the error names the key.
    func validate() throws(ConfigurationError) {
        _ = try RedisURL(parsing: url)
        _ = try CommandPlan(configuration: self)
        guard (1...256).contains(poolSize) else { throw ConfigurationError("'pool_size' must be 1-256, found \(poolSize)") }
        if let expireSeconds, expireSeconds <= 0 {
            throw ConfigurationError("'expire_seconds' must be positive, found \(expireSeconds)")
        }
        for (name, value) in [("connect_timeout_ms", connectTimeoutMilliseconds), ("timeout_ms", timeoutMilliseconds),
                              ("reconnect_backoff_ms", reconnectBackoffMilliseconds)] where value <= 0 {
            throw ConfigurationError("'\(name)' must be positive, found \(value)")
        }
        guard reconnectBackoffMaxMilliseconds >= reconnectBackoffMilliseconds else {
            throw ConfigurationError("'reconnect_backoff_max_ms' must be at least 'reconnect_backoff_ms'")
        }
        if let passwordEnvironment, passwordEnvironment.isEmpty {
            throw ConfigurationError("'password_env' must name an environment variable")
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
