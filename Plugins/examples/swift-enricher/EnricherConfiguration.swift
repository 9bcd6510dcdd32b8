/// The enricher's configuration: `{"output": "orders.enriched"}`; every key is optional.
struct EnricherConfiguration: Decodable, Sendable {
    /// Where enriched orders go.
    var output = "orders.enriched"

    enum CodingKeys: String, CodingKey { case output }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        output = try container.decodeIfPresent(String.self, forKey: .output) ?? output
    }
}
