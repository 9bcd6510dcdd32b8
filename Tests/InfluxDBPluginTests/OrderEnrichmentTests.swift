import SluiceInfluxDBPlugin
import SluicePluginKit
import Testing

/// Setting `market_price` in an order keeps the rest of it as written.
@Suite("Order enrichment")
struct OrderEnrichmentTests {
    private func set(_ json: String, _ value: JSONValue) throws -> String {
        let bytes = Array(json.utf8)
        return String(decoding: OrderEnrichment.setting("market_price", to: value, in: bytes, parsed: try JSONValue.parse(bytes)), as: UTF8.self)
    }

    @Test("appended before the closing brace, the original bytes untouched")
    func appends() throws {
        #expect(try set(#"{"id":"o1", "price":100.10 }"#, .number("100.5")) == #"{"id":"o1", "price":100.10 ,"market_price":100.5}"#)
        #expect(try set("{}\n", .null) == #"{"market_price":null}"#)
    }

    @Test("an existing field is replaced, not duplicated")
    func replaces() throws {
        #expect(try set(#"{"id":"o1","market_price":1,"x":2}"#, .number("3.25")) == #"{"id":"o1","market_price":3.25,"x":2}"#)
    }
}
