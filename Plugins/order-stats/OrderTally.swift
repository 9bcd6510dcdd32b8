/// One symbol's orders in one window so far: the windowed table's value,
/// stored as JSON (`{"orders":2,"shares":12,"notional":1207.6}`).
struct OrderTally: Codable, Sendable, Equatable {
    /// How many orders.
    var orders = 0
    /// The sum of their shares.
    var shares = 0
    /// The sum of shares × price.
    var notional = 0.0

    /// Counts one more order.
    mutating func add(_ order: Order) {
        orders += 1
        shares += order.quantity
        notional += Double(order.quantity) * order.price
    }
}
