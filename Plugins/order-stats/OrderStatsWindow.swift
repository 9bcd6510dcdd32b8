/// One symbol's statistics for one closed window, as produced to the output
/// topic (keyed by the symbol):
/// `{"symbol":"AAPL","window_start":…,"window_end":…,"orders":2,"shares":12,"notional":1207.6}`.
struct OrderStatsWindow: Encodable, Sendable {
    let symbol: String
    /// The window start, epoch milliseconds (inclusive).
    let windowStart: Int64
    /// The window end, epoch milliseconds (exclusive).
    let windowEnd: Int64
    let orders: Int
    let shares: Int
    /// Shares × price summed, rounded to cents (the sum of doubles carries
    /// binary noise such as 1004.0000000000001).
    let notional: Double

    init(symbol: String, windowStart: Int64, windowEnd: Int64, tally: OrderTally) {
        self.symbol = symbol
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        orders = tally.orders
        shares = tally.shares
        notional = (tally.notional * 100).rounded() / 100
    }

    enum CodingKeys: String, CodingKey {
        case symbol, orders, shares, notional
        case windowStart = "window_start"
        case windowEnd = "window_end"
    }
}
