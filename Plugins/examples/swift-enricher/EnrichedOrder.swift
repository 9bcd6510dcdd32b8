/// An order with its total, as produced to the output topic.
struct EnrichedOrder: Encodable, Sendable {
    let order: Order
    let total: Double

    enum CodingKeys: String, CodingKey {
        case id, symbol, quantity, price, total
        case userID = "user_id"
    }

    // Flat: the order's fields plus "total", not the order nested.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(order.id, forKey: .id)
        try container.encode(order.userID, forKey: .userID)
        try container.encode(order.symbol, forKey: .symbol)
        try container.encode(order.quantity, forKey: .quantity)
        try container.encode(order.price, forKey: .price)
        try container.encode(total, forKey: .total)
    }
}
