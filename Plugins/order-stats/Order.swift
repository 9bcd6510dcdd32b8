/// One order, as read from `orders`: the fields the statistics need
/// (`{"symbol": "AAPL", "quantity": 10, "price": 100.4, …}`; others are ignored).
struct Order: Decodable, Sendable {
    let symbol: String
    /// The number of shares.
    let quantity: Int
    /// The price per share.
    let price: Double
}
