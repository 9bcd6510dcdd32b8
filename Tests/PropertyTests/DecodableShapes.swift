import Foundation

/// The `Decodable` shapes the decoder agreement properties read: the SDK
/// docs' inputs, the benchmark's activity, nesting, arrays, optionals and
/// every number type.
enum DecodableShapes {
    /// The `shout` template's input (docs/writing-plugins.md).
    struct Shout: Decodable, Equatable { let text: String }

    /// The Greeter example's input (the `Agent` documentation).
    struct Greeter: Decodable, Equatable { let name: String }

    /// The swift-enricher example's `Order`, with its renamed key.
    struct Order: Decodable, Equatable {
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

    /// The feed activity of the S11 benchmark.
    struct Activity: Decodable, Equatable {
        let user: String
        let message: String
        let timestamp: String
    }

    /// Objects in objects, an array of objects, optionals.
    struct Shipment: Decodable, Equatable {
        struct Address: Decodable, Equatable {
            let city: String
            let zip: String?
        }
        struct Item: Decodable, Equatable {
            let sku: String
            let price: Double
            let quantity: Int
        }
        let id: String
        let destination: Address
        let items: [Item]
        let tags: [String]?
        let note: String?
    }

    /// Every number type and a Bool, some optional.
    struct Numbers: Decodable, Equatable {
        let int: Int
        let int8: Int8
        let uint8: UInt8?
        let int32: Int32
        let int64: Int64
        let uint64: UInt64
        let double: Double
        let float: Float
        let flag: Bool
        let maybe: Int?
        let decimal: Decimal?
    }
}
