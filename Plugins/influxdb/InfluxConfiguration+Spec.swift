import SluiceSDK

extension InfluxConfiguration {
    /// The keys of the influxdb agent's `config:`: the descriptor's
    /// `config_schema`, the strict check before decoding, and the tables in
    /// docs/plugins/influxdb.md (compared by a test).
    public static let spec = ConfigurationSpec {
        // Both modes.
        ConfigurationKey("url", .string(minLength: 1), required: true,
                         doc: "Base URL of the InfluxDB HTTP API, `http://` or `https://`. Credentials in the URL are refused: use `username`/`password`. Errors about the URL show it with any password masked (`user:***@`).")
        ConfigurationKey("database", .string(minLength: 1), required: true,
                         doc: "The database queried or written.")
        ConfigurationKey("mode", .oneOf("enrich", "write"), default: "enrich",
                         doc: "`enrich` or `write`.")
        ConfigurationKey("retention_policy", .string(minLength: 1),
                         doc: "Queries read `\"rp\".\"measurement\"`; writes pass `rp=`.")
        ConfigurationKey("username", .string,
                         doc: "HTTP basic auth user.")
        ConfigurationKey("password", .string, secret: true,
                         doc: "HTTP basic auth password. Sent only in the `Authorization` header, never in a URL or a log line.")
        ConfigurationKey("password_env", .string(minLength: 1),
                         doc: "Name of an environment variable holding the password (overrides `password`). A variable that is not set refuses the agent (`'password_env': the environment variable NAME is not set`), as in the redis and elasticsearch plugins; it never falls back to `password`.")
        ConfigurationKey("measurement", .string(minLength: 1), default: "marketdata",
                         doc: "The measurement queried (enrich) or written (write).")
        ConfigurationKey("time_field", ConfigurationType.string(minLength: 1).orNull, default: "timestamp",
                         doc: "The record field holding the time: RFC 3339 / ISO 8601 text with a zone (`2023-11-14T22:13:30.5Z`, `…+01:00`), or an integer in `precision` units. Parsed exactly, to the nanosecond. Write mode only: `null` uses the record's Kafka timestamp.")
        ConfigurationKey("precision", .oneOf("ns", "us", "ms", "s", "m", "h"), default: "ns",
                         doc: "The unit of integer times in records, and of written timestamps (`/write?precision=`).")
        ConfigurationKey("timeout_ms", .integer(1...3_600_000), default: 10_000,
                         doc: "Whole-request timeout, in milliseconds.")
        ConfigurationKey("connect_timeout_ms", .integer(1...3_600_000), default: 5_000,
                         doc: "Connect timeout, in milliseconds.")
        ConfigurationKey("max_connections", .integer(1...256), default: 4,
                         doc: "Most concurrent connections to InfluxDB.")
        // Enrich mode.
        ConfigurationKey("field", .string(minLength: 1), default: "price",
                         doc: "The measurement's price field (`last(field)`).")
        ConfigurationKey("tag", .string(minLength: 1), default: "symbol",
                         doc: "The measurement's tag holding the symbol.")
        ConfigurationKey("symbol_field", .string(minLength: 1), default: "symbol",
                         doc: "The order field holding the symbol.")
        ConfigurationKey("id_field", .string(minLength: 1), default: "id",
                         doc: "The order field holding the id: the output record's key.")
        ConfigurationKey("output", .string(minLength: 1, maxLength: 249), default: "quality",
                         doc: "The topic enriched orders go to.")
        ConfigurationKey("output_field", .string(minLength: 1), default: "market_price",
                         doc: "The member set in the order (replaced if the order already has it).")
        ConfigurationKey("on_missing_price", ConfigurationType.oneOf("dead_letter", "null").orNull, default: "dead_letter",
                         doc: "No price at or before the order's time: `dead_letter` the order (reason `no market price in InfluxDB at or before the order's time`), or `null`: forward it with `market_price: null`.")
        // Write mode.
        ConfigurationKey("measurement_field", .string(minLength: 1),
                         doc: "A record field naming the measurement (overrides `measurement` when present).")
        ConfigurationKey("tags", .list(of: .string), default: [],
                         doc: "Record fields written as tags (tag key = field name). A missing, null or empty value leaves the tag out (InfluxDB treats an empty tag as absent).")
        ConfigurationKey("fields", .list(of: .string), default: [],
                         doc: "Record fields written as fields. Empty: every other top-level member that is a string, number or boolean (nulls, arrays and objects are left out).")
        ConfigurationKey("integer_fields", .list(of: .string), default: [],
                         doc: "Fields written as integers (`42i`). Every other number is written as a float, so `101` in one record and `101.5` in the next never conflict.")
        ConfigurationKey("max_lines", .integer(1...1_000_000), default: 5_000,
                         doc: "The most lines in one `/write` request.")
        ConfigurationKey("flush_interval_ms", .integer(1...3_600_000), default: 1_000,
                         doc: "How long points may wait for more before they are written, in milliseconds.")
        ConfigurationKey("gzip", .boolean, default: false,
                         doc: "Gzip the `/write` bodies (`Content-Encoding: gzip`). Ignored in enrich mode (InfluxDB 1.x does not decode gzip on `/query`).")
    }
}
