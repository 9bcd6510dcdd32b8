import Foundation
import SluiceSDK
import Testing

@Suite("RecordDecoder: values, options and errors naming the coding path")
struct RecordDecoderTests {
    let decoder = RecordDecoder()

    static let shipment = #"""
    {"id": "s-1", "destination": {"city": "Z\u00fcrich", "zip": null},
     "items": [{"sku": "a\"b", "price": 1.5, "quantity": 2}, {"sku": "c", "price": 3, "quantity": -4}]}
    """#

    /// The coding path of the `DecodingError` decoding `json` as `T` throws, as `a.b[1].c`.
    func failingPath<T: Decodable>(_ type: T.Type, _ json: String) -> String? {
        do {
            _ = try decoder.decode(type, from: json)
            return nil
        } catch let error as DecodingError {
            let context: DecodingError.Context
            var keys: [any CodingKey] = []
            switch error {
            case .keyNotFound(let key, let found): context = found; keys = [key]
            case .typeMismatch(_, let found), .valueNotFound(_, let found), .dataCorrupted(let found): context = found
            @unknown default: return "unknown"
            }
            return (context.codingPath + keys).map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        } catch {
            return "not a DecodingError: \(error)"
        }
    }

    @Test("a nested value decodes: objects, arrays, escapes, null optionals, integers and doubles")
    func nested() throws {
        let value = try decoder.decode(Shipment.self, from: Self.shipment)
        #expect(value == Shipment(id: "s-1", destination: .init(city: "Zürich", zip: nil),
                                  items: [.init(sku: "a\"b", price: 1.5, quantity: 2), .init(sku: "c", price: 3, quantity: -4)],
                                  note: nil))
    }

    @Test("one decoder reads many records, one after the other")
    func reuse() throws {
        for quantity in [1, 2, 3] {
            let json = #"{"id":"x","destination":{"city":"c"},"items":[{"sku":"s","price":0,"quantity":\#(quantity)}]}"#
            #expect(try decoder.decode(Shipment.self, from: json).items[0].quantity == quantity)
        }
    }

    @Test("records of one flat shape in a row (read by comparing keys) decode as Foundation decodes each, repeated keys included")
    func flatShapeInARow() throws {
        struct Pair: Decodable, Equatable { let a: String; let b: Int? }
        let records = [#"{"a":"1","b":2}"#, #"{"a":"3","b":4}"#, #"{"a":"5","b":null}"#, #"{"a":"6","b":7,"a":"8"}"#,
                       #"{"a":"9","b":10,"a":"11"}"#, #"{"b":12,"a":"13"}"#, #"{"a":"14","b":"x"}"#, #"{"a":"15"}"#,
                       #"{"a":"16","b":17}"#]
        for record in records {
            let ours = Result { try decoder.decode(Pair.self, from: record) }
            let foundations = Result { try JSONDecoder().decode(Pair.self, from: Data(record.utf8)) }
            switch (ours, foundations) {
            case (.success(let mine), .success(let theirs)): #expect(mine == theirs, "\(record)")
            case (.failure, .failure): break
            default: Issue.record("\(record): \(ours) against Foundation's \(foundations)")
            }
        }
    }

    @Test("a raw control character fails the record even in a string the type never reads (Foundation checks only what it reads)")
    func controlCharacterInUnreadString() throws {
        struct Named: Decodable, Equatable { let name: String }
        for text in ["{\"name\":\"a\",\"other\":\"x\u{09}y\"}", "{\"name\":\"a\",\"name\":\"x\u{01}\"}"] {
            #expect(throws: DecodingError.self, "\(text)") { try decoder.decode(Named.self, from: text) }
            // Foundation reads the same text, since it never looks inside the unread string.
            #expect(try JSONDecoder().decode(Named.self, from: Data(text.utf8)) == Named(name: "a"))
        }
    }

    @Test("keys are matched by their bytes on every record of a shape, the first and the ones read by remembered keys")
    func rememberedKeysCompareBytes() throws {
        struct Composed: Decodable, Equatable {
            let value: String
            enum CodingKeys: String, CodingKey { case value = "\u{E9}" }
        }
        struct Decomposed: Decodable, Equatable {
            let value: String
            enum CodingKeys: String, CodingKey { case value = "e\u{301}" }
        }
        struct Dynamic: Decodable, Equatable {
            let value: String
            struct Key: CodingKey {
                var stringValue: String
                init(stringValue: String) { self.stringValue = stringValue }
                var intValue: Int? { nil }
                init?(intValue: Int) { nil }
            }
            init(from decoder: any Decoder) throws {
                // A long key built anew each time: equal text in another string on every record.
                let name = ["a", "rather", "long", "key", "name"].joined(separator: "_")
                value = try decoder.container(keyedBy: Key.self).decode(String.self, forKey: Key(stringValue: name))
            }
        }
        for round in 0..<4 {
            let json = #"{"\#u{E9}":"r\#(round)","a_rather_long_key_name":"d\#(round)"}"#
            #expect(try decoder.decode(Composed.self, from: json) == Composed(value: "r\(round)"))
            // Canonically equal to the key, but other bytes: not found, as on the first record.
            #expect(throws: DecodingError.self) { try decoder.decode(Decomposed.self, from: json) }
            #expect(try decoder.decode(Dynamic.self, from: json).value == "d\(round)")
        }
    }

    @Test("keys of trivial types are told apart by type and value on every record of a shape, whatever the order of reads")
    func rememberedTrivialKeys() throws {
        // The first case of each enum has the same bytes (0), under other names.
        struct Forward: Decodable, Equatable {
            let x: String, y: String
            enum CodingKeys: String, CodingKey { case x, y }
        }
        struct Backward: Decodable, Equatable {
            let y: String, x: String
            enum CodingKeys: String, CodingKey { case y, x }
        }
        /// An eight-byte key whose name is made from its value.
        struct IndexKey: CodingKey {
            let index: Int
            var stringValue: String { "k\(index)" }
            init(_ index: Int) { self.index = index }
            init?(stringValue: String) { nil }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }
        struct Indexed: Decodable {
            static let orders = [[2, 0, 1], [0, 1, 2], [1, 2, 0]]
            nonisolated(unsafe) static var order = [0, 1, 2]
            let values: [Int: String]
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: IndexKey.self)
                var values: [Int: String] = [:]
                for index in Self.order { values[index] = try container.decode(String.self, forKey: IndexKey(index)) }
                self.values = values
            }
        }
        let decoder = RecordDecoder()
        for round in 0..<4 {
            let json = #"{"x":"x\#(round)","y":"y\#(round)"}"#
            // The second record is read by comparing keys, and the lookups remember Forward's keys;
            // then Backward asks for its first case (the same bytes as Forward's "x") at the first position.
            for _ in 0..<2 {
                #expect(try decoder.decode(Forward.self, from: json) == Forward(x: "x\(round)", y: "y\(round)"))
            }
            #expect(try decoder.decode(Backward.self, from: json) == Backward(y: "y\(round)", x: "x\(round)"))
        }
        for round in 0..<6 {
            Indexed.order = Indexed.orders[round % 3]
            let json = #"{"k0":"a\#(round)","k1":"b\#(round)","k2":"c\#(round)"}"#
            #expect(try decoder.decode(Indexed.self, from: json).values == [0: "a\(round)", 1: "b\(round)", 2: "c\(round)"])
        }
    }

    @Test("an empty key is looked up like any other on records of one shape, not taken for a place no lookup found yet")
    func emptyKeyOnRecordsOfOneShape() throws {
        struct Blank: Decodable, Equatable {
            let blank: String, y: String
            enum CodingKeys: String, CodingKey { case blank = "", y }
        }
        let decoder = RecordDecoder()
        for round in 0..<4 {
            let json = #"{"x":"x\#(round)","":"blank\#(round)","y":"y\#(round)"}"#
            #expect(try decoder.decode(Blank.self, from: json) == Blank(blank: "blank\(round)", y: "y\(round)"))
        }
    }

    @Test("one decoder reads records of different types in turn (the kept top-level container follows the type)")
    func reuseAcrossTypes() throws {
        struct Named: Decodable, Equatable { let name: String }
        struct Counted: Decodable, Equatable { let name: Int }
        for round in 0..<3 {
            #expect(try decoder.decode(Named.self, from: #"{"name":"n\#(round)"}"#) == Named(name: "n\(round)"))
            #expect(try decoder.decode(Counted.self, from: #"{"name":\#(round)}"#) == Counted(name: round))
            #expect(try decoder.decode([String: Int].self, from: #"{"a":\#(round)}"#) == ["a": round])
            #expect(throws: DecodingError.self) { try decoder.decode(Named.self, from: #"{"name":\#(round)}"#) }
            #expect(try decoder.decode(Shipment.self, from: Self.shipment).destination.city == "Zürich")
        }
    }

    @Test("integers keep every digit, at both edges of each type")
    func integers() throws {
        #expect(try decoder.decode([Int64].self, from: "[9223372036854775807, -9223372036854775808]") == [.max, .min])
        #expect(try decoder.decode(UInt64.self, from: "18446744073709551615") == .max)
        #expect(try decoder.decode(Int8.self, from: "-128") == -128)
        #expect(throws: DecodingError.self) { try decoder.decode(Int8.self, from: "128") }
        #expect(throws: DecodingError.self) { try decoder.decode(UInt64.self, from: "18446744073709551616") }
        #expect(try decoder.decode(Int.self, from: "1e3") == 1000)
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: "1.5") }
    }

    @Test("the failing key's whole path is named", arguments: [
        (#"{"id":"s","destination":{"zip":"1"},"items":[]}"#, ".destination.city"),
        (#"{"id":"s","destination":{"city":"c"},"items":[{"sku":"a","price":1,"quantity":1},{"sku":"b","price":"x","quantity":1}]}"#,
         ".items[1].price"),
        (#"{"id":"s","destination":{"city":"c"},"items":[{"sku":"a","price":1,"quantity":null}]}"#, ".items[0].quantity"),
        (#"{"id":"s","destination":"Paris","items":[]}"#, ".destination"),
        (#"{"id":7,"destination":{"city":"c"},"items":[]}"#, ".id"),
        (#"{"id":"s","destination":{"city":"c"},"items":[{"sku":"a","price":1,"quantity":1.5}]}"#, ".items[0].quantity"),
    ])
    func paths(json: String, path: String) {
        #expect(failingPath(Shipment.self, json) == path)
    }

    /// Reads through nested containers, noting each container's path.
    struct Nested: Decodable {
        let inner: Int, listed: Int
        let paths: [String]
        enum Outer: String, CodingKey { case a, b }
        enum Inner: String, CodingKey { case value }
        init(from decoder: any Decoder) throws {
            let outer = try decoder.container(keyedBy: Outer.self)
            let a = try outer.nestedContainer(keyedBy: Inner.self, forKey: .a)
            var b = try outer.nestedUnkeyedContainer(forKey: .b)
            let deeper = try b.nestedContainer(keyedBy: Inner.self)
            let twice = try a.nestedContainer(keyedBy: Inner.self, forKey: .value)
            paths = [a, deeper, twice].map { $0.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined() }
            inner = try twice.decode(Int.self, forKey: .value)
            listed = try deeper.decode(Int.self, forKey: .value)
        }
    }

    @Test("nested containers know their own paths, record after record, and an error names the whole path", arguments: [
        (#"{"a":{"value":{"value":"x"}},"b":[{"value":2}]}"#, ".a.value.value"),
        (#"{"a":{"value":{"value":1}},"b":[{"value":null}]}"#, ".b[0].value"),
        (#"{"a":{"value":{"value":1}},"b":[{}]}"#, ".b[0].value"),
    ])
    func nestedContainerPaths(failing: String, path: String) throws {
        for round in 0..<3 {
            let decoded = try decoder.decode(Nested.self, from: #"{"a":{"value":{"value":\#(round)}},"b":[{"value":2}]}"#)
            #expect(decoded.paths == [".a", ".b[0]", ".a.value"])
            #expect(decoded.inner == round && decoded.listed == 2)
            #expect(failingPath(Nested.self, failing) == path)
            #expect(throws: DecodingError.self, "Foundation fails it too") {
                try JSONDecoder().decode(Nested.self, from: Data(failing.utf8))
            }
        }
    }

    @Test("errors are Foundation's kinds: missing key, wrong type, null")
    func kinds() {
        #expect {
            try decoder.decode(Shipment.Address.self, from: #"{"zip":"1"}"#)
        } throws: { error in
            guard case .keyNotFound(let key, _) = error as? DecodingError else { return false }
            return key.stringValue == "city"
        }
        #expect {
            try decoder.decode(Shipment.Address.self, from: #"{"city":1}"#)
        } throws: { error in
            guard case .typeMismatch(let type, let context) = error as? DecodingError else { return false }
            return type == String.self && context.debugDescription.contains("found a number")
        }
        #expect {
            try decoder.decode(Shipment.Address.self, from: #"{"city":null}"#)
        } throws: { error in
            guard case .valueNotFound = error as? DecodingError else { return false }
            return true
        }
    }

    @Test("text that is not JSON says where it broke")
    func malformed() {
        #expect {
            try decoder.decode(Shipment.Address.self, from: #"{"city": }"#)
        } throws: { error in
            guard case .dataCorrupted(let context) = error as? DecodingError else { return false }
            return "\(context.underlyingError.map { "\($0)" } ?? "")" == "malformed JSON at byte 9: expected a value"
        }
    }

    @Test("dates: ISO 8601 when asked, Date's own encoding by default")
    func dates() throws {
        struct Event: Decodable { let at: Date }
        let iso = RecordDecoder(options: DecodingOptions(dateStrategy: .iso8601))
        let event = try iso.decode(Event.self, from: #"{"at":"2024-03-01T12:30:00.5Z"}"#)
        #expect(event.at.timeIntervalSince1970 == 1_709_296_200.5)
        #expect(throws: DecodingError.self) { try iso.decode(Event.self, from: #"{"at":"yesterday"}"#) }
        let millis = RecordDecoder(options: DecodingOptions(dateStrategy: .millisecondsSince1970))
        #expect(try millis.decode(Event.self, from: #"{"at":1500}"#).at.timeIntervalSince1970 == 1.5)
        #expect(try decoder.decode(Event.self, from: #"{"at":0}"#).at == Date(timeIntervalSinceReferenceDate: 0))
    }

    @Test("superDecoder, userInfo and codingPath reach init(from:)")
    func decoderSurface() throws {
        struct Probe: Decodable {
            let path: String
            let flag: Bool?
            let inner: Int
            enum CodingKeys: String, CodingKey { case wrapped }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                let inner = try container.superDecoder(forKey: .wrapped)
                path = inner.codingPath.map(\.stringValue).joined(separator: ".")
                flag = decoder.userInfo[RecordDecoderTests.flagKey] as? Bool
                self.inner = try inner.singleValueContainer().decode(Int.self)
            }
        }
        let withInfo = RecordDecoder(options: DecodingOptions(userInfo: [Self.flagKey: true]))
        let probe = try withInfo.decode(Probe.self, from: #"{"wrapped": 42}"#)
        #expect(probe.path == "wrapped")
        #expect(probe.flag == true)
        #expect(probe.inner == 42)
    }

    @Test("a superDecoder kept past its record still reads that record after the decoder parsed the next")
    func keptSuperDecoder() throws {
        final class Kept: @unchecked Sendable { var decoder: (any Decoder)? }
        struct Keeper: Decodable {
            static let kept = Kept()
            enum CodingKeys: String, CodingKey { case wrapped }
            init(from decoder: any Decoder) throws {
                Self.kept.decoder = try decoder.container(keyedBy: CodingKeys.self).superDecoder(forKey: .wrapped)
            }
        }
        struct Other: Decodable { let a: [Int] }
        let first = Array(#"{"wrapped": 42}"#.utf8), second = Array(#"{"a": [7, 8, 9, 10]}"#.utf8)
        try first.withUnsafeBytes { first in
            _ = try decoder.decode(Keeper.self, from: first)
            _ = try second.withUnsafeBytes { try decoder.decode(Other.self, from: $0) }
            #expect(try Keeper.kept.decoder?.singleValueContainer().decode(Int.self) == 42)
        }
    }

    @Test("a container used after its decode returned stops the process with a message, not a wild read")
    func containerUsedAfterDecode() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let decoder = RecordDecoder()
            _ = try? decoder.decode(EscapingRecord.self, from: #"{"name": "late"}"#)
            _ = try? EscapingRecord.kept.container?.decode(String.self, forKey: .name)
        }
        let message = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(message.contains("a decoding container was used after the decode that made it returned"))
    }

    static let flagKey = CodingUserInfoKey(rawValue: "flag")!
}
