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

    @Test("text lent by withEncoded stays intact while its body encodes with the same encoder")
    func reentrantBody() throws {
        let encoder = RecordEncoder()
        let item = Item(sku: "outer", price: 1, quantity: 1)
        let (outer, inner) = try encoder.withEncoded(item) { lent in
            let inner = try encoder.encode(Item(sku: String(repeating: "long ", count: 200), price: 2, quantity: 2))
            return (Array(lent), inner)
        }
        #expect(try outer == RecordEncoder().encode(item))
        #expect(try JSONDecoder().decode(Item.self, from: Data(inner)).quantity == 2)
        #expect(try encoder.encode(item) == outer) // and the encoder is whole afterwards
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

    /// Notes the coding path it is encoded at (as a dotted string), then encodes `value`.
    final class PathLog: @unchecked Sendable {
        var paths: [String] = []
    }
    struct PathProbe: Encodable {
        let log: PathLog
        let value: Int
        func encode(to encoder: any Encoder) throws {
            log.paths.append(encoder.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "."))
            var single = encoder.singleValueContainer()
            try single.encode(value)
        }
    }
    struct Wrapper: Encodable {
        let k: PathProbe
    }
    struct Paths: Encodable {
        let log: PathLog
        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case top, list, inner, deep }
            var outer = encoder.container(keyedBy: Keys.self)
            try outer.encode(PathProbe(log: log, value: 1), forKey: .top)
            // Between members the path is the container's own again.
            log.paths.append("between:" + encoder.codingPath.map(\.stringValue).joined(separator: "."))
            try outer.encode([PathProbe(log: log, value: 2), PathProbe(log: log, value: 3)], forKey: .list)
            var inner = outer.nestedContainer(keyedBy: Keys.self, forKey: .inner)
            try inner.encode(Wrapper(k: PathProbe(log: log, value: 4)), forKey: .deep)
            try PathProbe(log: log, value: 5).encode(to: outer.superEncoder(forKey: .deep))
            try outer.encode(PathProbe(log: log, value: 6), forKey: .top)
            // A dictionary's keys are not `CodingKeys` cases: kept as keys, not as bits.
            try outer.encode(["d": PathProbe(log: log, value: 7)], forKey: .list)
        }
    }

    @Test("encode(to:) sees the coding path Foundation's encoder gives it, and errors name it")
    func codingPaths() throws {
        let ours = PathLog(), foundation = PathLog()
        let text = try text(Paths(log: ours))
        _ = try JSONEncoder().encode(Paths(log: foundation))
        #expect(ours.paths == foundation.paths)
        // Foundation leaves a nested container's own key out of its members' paths; so does the SDK.
        #expect(ours.paths == ["top", "between:", "list.0", "list.1", "deep.k", "deep", "top", "list.d"])
        #expect(text == #"{"top":1,"list":[2,3],"inner":{"deep":{"k":4}},"deep":5,"top":6,"list":{"d":7}}"#)

        let order = Order(id: "o", items: [Item(sku: "a", price: 1, quantity: 1), Item(sku: "b", price: .infinity, quantity: 2)],
                          note: nil, tags: [:], big: 0, small: 0, flag: false, at: Date(timeIntervalSince1970: 0))
        do {
            _ = try RecordEncoder().encode(order)
            Issue.record("an infinite price was encoded")
        } catch let EncodingError.invalidValue(_, context) {
            #expect(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["items", "1", "price"])
        }
    }
}

