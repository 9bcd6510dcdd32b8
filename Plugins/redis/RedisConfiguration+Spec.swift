import SluiceSDK

extension RedisConfiguration {
    /// The keys of the redis agent's `config:`: the descriptor's
    /// `config_schema`, the strict check before decoding, and the table in
    /// Plugins/redis/README.md (compared by a test).
    static let spec = ConfigurationSpec {
        ConfigurationKey("url", .string(minLength: 1), default: "redis://127.0.0.1:6379/0",
                         doc: "`redis://[[user]:password@]host[:port][/db]`. With a password the plugin sends `AUTH [user] password` on connect, with a database other than 0 `SELECT db`. IPv6 hosts in brackets. `%XX` escapes in the credentials. TLS (`rediss://`) is not supported.")
        ConfigurationKey("password", .string, secret: true,
                         doc: "The password, overriding one in `url`. A secret: the host never shows it; prefer it (or `password_env`) to a password inside `url`.")
        ConfigurationKey("password_env", .string(minLength: 1),
                         doc: "Name of an environment variable holding the password (overrides `password` and `url`). A variable that is not set refuses the agent: `'password_env': the environment variable NAME is not set`.")
        ConfigurationKey("commands", .list(of: .list(of: .string, minItems: 1), minItems: 1),
                         default: [["ZADD", "{user}", "{timestamp:epoch}", "{message}"]],
                         doc: "The commands to run per record, in order. Each is a list of argument templates, the command name first.")
        ConfigurationKey("key_prefix", .string, default: "",
                         doc: "Prepended to the first argument after the command name of every command (the Redis key).")
        ConfigurationKey("expire_seconds", .integer(atLeast: 1),
                         doc: "When set, `EXPIRE <key> <seconds>` follows each record's commands, once per distinct key (the prefixed first argument of each command).")
        ConfigurationKey("pool_size", .integer(1...256), default: 4,
                         doc: "The most connections the agent opens, shared by all its partitions.")
        ConfigurationKey("connect_timeout_ms", .integer(atLeast: 1), default: 2000,
                         doc: "TCP connect timeout, in milliseconds.")
        ConfigurationKey("timeout_ms", .integer(atLeast: 1), default: 5000,
                         doc: "Read/write timeout of a connection, in milliseconds. A batch whose replies do not arrive in time is retried on a new connection.")
        ConfigurationKey("reconnect_backoff_ms", .integer(atLeast: 1), default: 100,
                         doc: "Wait after the first failure before connecting again, in milliseconds; doubles per consecutive failure…")
        ConfigurationKey("reconnect_backoff_max_ms", .integer(atLeast: 1), default: 5000,
                         doc: "…up to this (at least `reconnect_backoff_ms`).")
    }
}
