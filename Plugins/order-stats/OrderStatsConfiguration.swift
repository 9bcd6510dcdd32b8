import SluiceSDK

/// The order-stats agent's `config:` (see docs/plugins/order-stats.md). The
/// spec refuses unknown keys, wrong types and out-of-range values and fills
/// in the defaults before this decodes; every key is optional.
struct OrderStatsConfiguration: DeclaredConfiguration {
    /// The window size in milliseconds (tumbling windows aligned to the epoch).
    var windowMilliseconds = 60_000
    /// How long after its end a window still takes late orders, in milliseconds.
    var graceMilliseconds = 2_000
    /// Where each closed window's statistics go.
    var outputTopic = "order_stats"

    enum CodingKeys: String, CodingKey {
        case windowMilliseconds = "window_ms"
        case graceMilliseconds = "grace_ms"
        case outputTopic = "output_topic"
    }

    init() {}

    /// The keys: the descriptor's `config_schema`, the strict check before
    /// decoding, and the table in docs/plugins/order-stats.md (compared by a test).
    static let spec = ConfigurationSpec {
        ConfigurationKey("window_ms", .integer(1_000...86_400_000), default: 60_000,
                         doc: "Window size in milliseconds: tumbling windows aligned to the epoch, `[t - t % size, … + size)`, on the records' timestamps.")
        ConfigurationKey("grace_ms", .integer(0...3_600_000), default: 2_000,
                         doc: "How long after its end a window still counts late orders, in milliseconds; the window closes (and is produced) at end + grace.")
        ConfigurationKey("output_topic", .string(minLength: 1), default: "order_stats",
                         doc: "The topic each closed window's statistics go to: one record per symbol (and input partition with orders of it), keyed by the symbol.")
    }
}
