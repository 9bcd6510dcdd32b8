import Foundation
import SluiceSDK
import Testing

@Suite("RecordEncoder: Encodable values as compact JSON")
struct RecordEncoderTests {
    struct Item: Codable, Equatable {
        let sku: String
        let price: Double
        let quantity: Int
    }
    struct Order: Codable, Equatable {
        let id: String
        let items: [Item]
        let note: String?
        let tags: [String: Int]
        let big: UInt64
        let small: Int8
        let flag: Bool
        let at: Date
    }

    func text(_ value: some Encodable) throws -> String {
        String(decoding: try RecordEncoder().encode(value), as: UTF8.self)
    }

    @Test("a nested value round-trips through JSONDecoder")
    func roundTrip() throws {
        let order = Order(id: "o\"1\n\u{2028}é😀", items: [Item(sku: "a", price: 1.5, quantity: -3), Item(sku: "b", price: 0.1, quantity: 0)],
                          note: nil, tags: ["x": 1], big: .max, small: -128, flag: true, at: Date(timeIntervalSince1970: 1.25))
        let json = try RecordEncoder().encode(order)
        #expect(try JSONDecoder().decode(Order.self, from: Data(json)) == order)
        #expect(try RecordDecoder().decode(Order.self, from: json) == order)
    }

    @Test("members in declaration order, strings quoted by the kit, integers exact")
    func text() throws {
        #expect(try text(Item(sku: "a\"b\\c\u{01}", price: 2.5, quantity: 7)) == #"{"sku":"a\"b\\c\u0001","price":2.5,"quantity":7}"#)
        #expect(try text([Int64.min, Int64.max]) == "[-9223372036854775808,9223372036854775807]")
        #expect(try text(UInt64.max) == "18446744073709551615")
        #expect(try text([String?.none, "x"]) == #"[null,"x"]"#)
        #expect(try text(Optional<Int>.none) == "null")
    }

    @Test("one encoder writes values of different types in turn, the same text as a new encoder each time")
    func reuseAcrossTypes() throws {
        let encoder = RecordEncoder()
        let order = Order(id: "o", items: [Item(sku: "a", price: 1, quantity: 2)], note: "n", tags: [:], big: 1,
                          small: 0, flag: false, at: Date(timeIntervalSince1970: 0))
        for round in 0..<3 {
            let item = Item(sku: "s\(round)", price: Double(round), quantity: round)
            #expect(try encoder.encode(item) == RecordEncoder().encode(item))
            #expect(try encoder.encode(order) == RecordEncoder().encode(order))
            #expect(try encoder.encode(["k": round]) == RecordEncoder().encode(["k": round]))
            #expect(throws: EncodingError.self) { try encoder.encode([Double.nan]) }
            #expect(try encoder.withEncoded(item) { Array($0) } == RecordEncoder().encode(item))
        }
    }

    @Test("a value that encodes nothing is {}; NaN is refused")
    func edges() throws {
        struct Empty: Encodable { func encode(to encoder: any Encoder) throws {} }
        #expect(try text([Empty(), Empty()]) == "[{},{}]")
        #expect(throws: EncodingError.self) { try text([Double.nan]) }
    }

    @Test("nested containers and superEncoder write where they were asked for")
    func nestedContainers() throws {
        struct Custom: Encodable {
            enum Keys: String, CodingKey { case a, b, c }
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.container(keyedBy: Keys.self)
                var inner = outer.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try inner.encode(1, forKey: .b)
                var list = outer.nestedUnkeyedContainer(forKey: .b)
                try list.encode("x")
                var deeper = list.nestedUnkeyedContainer()
                try deeper.encode(true)
                try outer.encode(Item(sku: "s", price: 1, quantity: 2), forKey: .c)
                try "sup".encode(to: outer.superEncoder())
            }
        }
        #expect(try text(Custom()) == #"{"a":{"b":1},"b":["x",[true]],"c":{"sku":"s","price":1.0,"quantity":2},"super":"sup"}"#)
    }
}
