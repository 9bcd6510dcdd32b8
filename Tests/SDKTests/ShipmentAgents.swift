import Foundation
import SluiceSDK

/// A nested input shape for the decoding tests: objects in objects, an array
/// of objects, optionals and a date.
struct Shipment: Decodable, Sendable, Equatable {
    struct Address: Decodable, Sendable, Equatable {
        let city: String
        let zip: String?
    }
    struct Item: Decodable, Sendable, Equatable {
        let sku: String
        let price: Double
        let quantity: Int
    }
    let id: String
    let destination: Address
    let items: [Item]
    let note: String?
}

/// Dead-letters nothing itself: every reason comes from decoding.
struct ShipmentAgent: Agent {
    typealias Input = Shipment
    static let name = "shipments"
    static let topics = ["shipments"]
    init(configuration: EmptyConfiguration, host: HostServices) {}
    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome { .ok }
}

/// The same agent on Foundation's decoder (it overrides `makeDecoder()`).
struct FoundationShipmentAgent: Agent {
    typealias Input = Shipment
    static let name = "shipments-foundation"
    static let topics = ["shipments"]
    static func makeDecoder() -> JSONDecoder { JSONDecoder() }
    init(configuration: EmptyConfiguration, host: HostServices) {}
    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome { .ok }
}
