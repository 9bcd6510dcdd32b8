import Foundation
import PropertyBased
import SluiceSDK
import Testing

/// The SDK's `RecordDecoder` must read record values as Foundation's
/// `JSONDecoder` does: on generated JSON for every shape in
/// ``DecodableShapes``, both succeed with equal values or both fail. The
/// generator mixes valid members with missing keys, wrong types, `null`,
/// integers at and past the edges of each type, doubles, and strings with
/// escapes, long plain runs, raw control characters and non-ASCII text
/// (valid UTF-8 only, no lone surrogates: there the SDK repairs where
/// Foundation refuses), and repeated keys.
@Suite("RecordDecoder agrees with Foundation's JSONDecoder")
struct RecordDecoderAgreementPropertyTests {
    /// Decodes `text` as `T` with both decoders and checks they agree.
    private static func agree<T: Decodable & Equatable>(_ type: T.Type, _ text: String, _ decoder: RecordDecoder) {
        let foundation = Result { try JSONDecoder().decode(type, from: Data(text.utf8)) }
        let sdk = Result { try decoder.decode(type, from: text) }
        switch (foundation, sdk) {
        case (.success(let expected), .success(let found)):
            #expect(expected == found, "\(T.self) from \(text)")
        case (.failure, .failure):
            break
        case (.success(let expected), .failure(let error)):
            Issue.record("\(T.self) from \(text): Foundation read \(expected), the SDK failed: \(error)")
        case (.failure(let error), .success(let found)):
            Issue.record("\(T.self) from \(text): Foundation failed (\(error)), the SDK read \(found)")
        }
    }

    @Test("every shape: the same value or the same refusal")
    func agreement() async {
        // One decoder per type, reused for every input, as the SDK reuses one per batch of
        // an agent: records of the same shape in a row take the flat-record path.
        let decoder = RecordDecoder(), activities = RecordDecoder(), orders = RecordDecoder()
        await checkProperty(count: 3000, input: Gen<UInt64>.value(in: 0...UInt64.max)) { seed in
            var random = SeededRandom(state: seed)
            Self.agree(DecodableShapes.Shout.self, Self.object(["text": .string], &random), decoder)
            Self.agree(DecodableShapes.Greeter.self, Self.object(["name": .string], &random), decoder)
            Self.agree(DecodableShapes.Activity.self,
                       Self.object(["user": .string, "message": .string, "timestamp": .string], &random), activities)
            Self.agree(DecodableShapes.Order.self, Self.object(
                ["id": .string, "user_id": .string, "symbol": .string, "quantity": .integer, "price": .double],
                &random), orders)
            Self.agree(DecodableShapes.Shipment.self, Self.shipment(&random), decoder)
            Self.agree(DecodableShapes.Numbers.self, Self.object(
                ["int": .integer, "int8": .integer, "uint8": .integer, "int32": .integer, "int64": .integer,
                 "uint64": .integer, "double": .double, "float": .double, "flag": .bool, "maybe": .integer,
                 "decimal": .double], &random), decoder)
            Self.agree([Int64].self, Self.array(.integer, &random), decoder)
            Self.agree([String?].self, Self.array(.string, &random), decoder)
            Self.agree([[Double]].self, "[" + Self.array(.double, &random) + "," + Self.array(.double, &random) + "]",
                       decoder)
        }
    }

    /// What a member's value should be.
    enum Slot { case string, integer, double, bool }

    /// An object with `members`, half the time in a random order: mostly a
    /// value of the slot's kind, sometimes another kind, `null`, or left
    /// out, and now and then a member repeated (Foundation reads the first).
    private static func object(_ members: KeyValuePairs<String, Slot>, _ random: inout SeededRandom) -> String {
        var texts = members.compactMap { name, slot -> String? in
            switch random.next() % 20 {
            case 0: return nil
            case 1: return #""\#(name)":null"#
            case 2: return #""\#(name)":"# + value(Slot.allKinds[Int(random.next() % 4)], &random)
            default: return #""\#(name)":"# + value(slot, &random)
            }
        }
        if random.next() % 2 == 0 { texts.shuffle(using: &random) }
        if random.next() % 15 == 0 {
            // A number, after the member it repeats: Foundation never reads the repeat, so it
            // would let a raw control character in it pass, where the SDK refuses the text
            // (see RecordDecoder); before the original, it would skip the original instead.
            let name = members[Int(random.next() % UInt64(members.count))].key
            texts.append(#""\#(name)":"# + value(.integer, &random))
        }
        return "{" + texts.joined(separator: ",") + "}"
    }

    private static func array(_ slot: Slot, _ random: inout SeededRandom) -> String {
        "[" + (0..<Int(random.next() % 5)).map { _ in
            random.next() % 15 == 0 ? "null" : value(random.next() % 15 == 1 ? .bool : slot, &random)
        }.joined(separator: ",") + "]"
    }

    private static func shipment(_ random: inout SeededRandom) -> String {
        let address = random.next() % 12 == 0 ? value(.string, &random) : object(["city": .string, "zip": .string], &random)
        let items = "[" + (0..<Int(random.next() % 4)).map { _ in
            object(["sku": .string, "price": .double, "quantity": .integer], &random)
        }.joined(separator: ",") + "]"
        var members = [#""id":"# + value(.string, &random), #""destination":"# + address, #""items":"# + items]
        if random.next() % 2 == 0 { members.append(#""tags":"# + array(.string, &random)) }
        if random.next() % 3 == 0 { members.append(#""note":"# + (random.next() % 2 == 0 ? "null" : value(.string, &random))) }
        if random.next() % 25 == 0 { members.removeFirst() }
        members.shuffle(using: &random)
        return "{" + members.joined(separator: ",") + "}"
    }

    private static let stringPieces = [
        "plain", "", " ", "é", #"\u00e9"#, #"\n"#, #"\t"#, #"\""#, #"\\"#, #"\/"#, "😀", #"\ud83d\ude00"#, "日本",
        #"\u0000"#, #"\u001f"#, "user:000000000042", "2019-05-21T13:55:12.123Z",
        // Long plain runs (the parser skips those eight bytes at a time), DEL as it is, and raw
        // control characters, which JSON refuses inside a string wherever they stand.
        "message 000000000817 from the benchmark", "0123456", "\u{7F}", "\u{09}", "\u{01}", "\u{1F}",
    ]
    private static let integers = [
        "0", "-1", "1", "127", "128", "-128", "-129", "255", "256", "2147483647", "2147483648", "-2147483649",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616", "9007199254740993", "-0", "1e2", "1.0", "1.5", "1E+2",
        "100000000000000000000000",
    ]
    private static let doubles = [
        "0", "-0.0", "1.5", "0.1", "-2.5e-3", "1e308", "1e309", "-1e309", "5e-324", "2.2250738585072014e-308",
        "123456789012345678901234567890", "3.4028235e38", "3.5e38", "1e-50", "42", "0.30000000000000004",
    ]

    /// A JSON value of `slot`'s kind.
    private static func value(_ slot: Slot, _ random: inout SeededRandom) -> String {
        switch slot {
        case .string:
            "\"" + (0..<Int(random.next() % 6)).map { _ in stringPieces[Int(random.next() % UInt64(stringPieces.count))] }
                .joined() + "\""
        case .integer: integers[Int(random.next() % UInt64(integers.count))]
        case .double: random.next() % 3 == 0 ? "\(Int64(bitPattern: random.next()))" : doubles[Int(random.next() % UInt64(doubles.count))]
        case .bool: random.next() % 2 == 0 ? "true" : "false"
        }
    }
}

extension RecordDecoderAgreementPropertyTests.Slot {
    static let allKinds: [Self] = [.string, .integer, .double, .bool]
}
