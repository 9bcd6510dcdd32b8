/// An order as it arrives on the `orders` topic.
struct Order: Codable, Sendable {
    let id: String
    let userID: String
    let symbol: String
    let quantity: Int
    let price: Double

    enum CodingKeys: String, CodingKey {
        case id, symbol, quantity, price
        case userID = "user_id"
    }
}
