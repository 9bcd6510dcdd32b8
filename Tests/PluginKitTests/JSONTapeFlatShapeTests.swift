import SluicePluginKit
import Testing

/// A tape remembers the keys of a flat record and reads the next record of
/// that shape by comparing keys: these tests hold it to the tape and the
/// errors a full parse gives, record after record.
@Suite("JSONTape: records of a remembered shape")
struct JSONTapeFlatShapeTests {
    /// The tape `reused` makes of `text` (after whatever it parsed before),
    /// or its error, beside the same from a fresh tape (a full parse).
    func parseBoth(_ reused: inout JSONTape, _ text: String) -> (reused: Result<[JSONTape.Entry], JSONSyntaxError>,
                                                                 fresh: Result<[JSONTape.Entry], JSONSyntaxError>) {
        Array(text.utf8).withUnsafeBytes { bytes in
            var fresh = JSONTape()
            func parse(_ tape: inout JSONTape) -> Result<[JSONTape.Entry], JSONSyntaxError> {
                do throws(JSONSyntaxError) {
                    try tape.parse(bytes)
                    return .success(tape.entries)
                } catch {
                    return .failure(error)
                }
            }
            return (parse(&reused), parse(&fresh))
        }
    }

    static let learned = #"{"user":"u1","message":"hello","timestamp":"2019-05-21T13:55:12.123Z"}"#

    @Test("after a flat record, the next text gives the tape or the error of a full parse", arguments: [
        // The same shape: read by comparing keys.
        #"{"user":"u2","message":"bye","timestamp":"2020-01-01T00:00:00Z"}"#,
        #"{"user":7,"message":-1.5e3,"timestamp":null}"#,
        #"{"user":true,"message":false,"timestamp":"tab\tand \u00e9 \"quoted\""}"#,
        " {\n\t\"user\" : \"a\" ,\"message\":\"b\"\r,  \"timestamp\" :\"c\" } ",
        #"{"user":"","message":"","timestamp":""}"#,
        // Another shape: a full parse.
        #"{"message":"b","user":"a","timestamp":"c"}"#,
        #"{"user":"a","message":"b"}"#,
        #"{"user":"a","message":"b","timestamp":"c","extra":1}"#,
        #"{"user":{"nested":1},"message":"b","timestamp":"c"}"#,
        #"{"user":["a"],"message":"b","timestamp":"c"}"#,
        #"{"us\u0065r":"a","message":"b","timestamp":"c"}"#,
        #"{"userX":"a","message":"b","timestamp":"c"}"#,
        #"{"use":"a","message":"b","timestamp":"c"}"#,
        #"{"user":"a","message":"b","timestamp":"c","user":"d"}"#,
        "{}", "[1,2]", #""text""#, "12",
        // Broken: the full parse's error, at the same byte.
        #"{"user":"a","message":"b","timestamp":"c""#,
        #"{"user":"a","message":"b","timestamp":"c"} x"#,
        #"{"user":tru,"message":"b","timestamp":"c"}"#,
        "{\"user\":\"a\u{01}\",\"message\":\"b\",\"timestamp\":\"c\"}",
        #"{"user":"a" "message":"b","timestamp":"c"}"#,
        #"{"user":"a","message":"b\x","timestamp":"c"}"#,
        #"{"user":"a","message":"b","timestamp":"c",}"#,
        #"{"user" "a","message":"b","timestamp":"c"}"#,
        #"{"user":"a","message":"b","timestamp":"c"#,
        #"{"user"#, "{", "",
    ])
    func sameAsFullParse(text: String) {
        var tape = JSONTape()
        let first = parseBoth(&tape, Self.learned)
        #expect(first.reused == first.fresh)
        let second = parseBoth(&tape, text)
        #expect(second.reused == second.fresh, "\(text)")
        // Whatever came second, the tape still reads the learned shape as a full parse does.
        let third = parseBoth(&tape, Self.learned)
        #expect(third.reused == third.fresh)
    }

    @Test("records of mixed shapes, perturbed and broken at random, parse as a fresh tape parses them")
    func randomRecords() {
        var random = SplitMix(seed: 0x5EED_F1A7)
        let shapes: [[String]] = [["user", "message", "timestamp"], ["id", "kind"], ["a", "b", "a"], ["x"]]
        var tape = JSONTape()
        for _ in 0..<4_000 {
            var keys = shapes[random.below(shapes.count)]
            if random.below(8) == 0, keys.count > 1 { keys.swapAt(0, keys.count - 1) }
            if random.below(10) == 0 { keys.removeLast() }
            if random.below(10) == 0 { keys.append("extra") }
            var text = "{" + keys.map { key in
                space(&random) + "\"" + key + "\"" + space(&random) + ":" + space(&random) + value(&random) + space(&random)
            }.joined(separator: ",") + "}"
            if random.below(6) == 0 {
                // Break it: cut it short, or change one byte.
                var bytes = Array(text.utf8)
                if random.below(2) == 0 {
                    bytes.removeLast(1 + random.below(bytes.count))
                } else {
                    let replacements = Array(#"{}[]:,"\ x0"#.utf8)
                    bytes[random.below(bytes.count)] = replacements[random.below(replacements.count)]
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            let result = parseBoth(&tape, text)
            #expect(result.reused == result.fresh, "\(text)")
        }
    }

    @Test("a hint is taken only when the remembered keys differ; a repeated key is found at its first occurrence")
    func distinctKeys() throws {
        var tape = JSONTape()
        let records = [#"{"a":1,"b":2}"#, #"{"a":3,"b":4}"#, #"{"a":1,"a":2}"#, #"{"a":3,"a":4}"#]
        var distinct: [Bool] = []
        for record in records {
            try Array(record.utf8).withUnsafeBytes { bytes in
                try tape.parse(bytes)
                distinct.append(tape.topLevelKeysDistinct)
                // A hint at the second member: the repeated "a" there must not be taken.
                let found = Array("a".utf8).withUnsafeBytes {
                    JSONTape.firstMember(named: $0, of: 0, hint: 2, keysDistinct: tape.topLevelKeysDistinct,
                                         in: tape.unsafeEntries, bytes: bytes)
                }
                #expect(found == 1, "\(record)")
                let last = Array("a".utf8).withUnsafeBytes { tape.member(named: $0, of: 0, in: bytes) }
                #expect(last == (record.hasPrefix(#"{"a":1,"a""#) || record.hasPrefix(#"{"a":3,"a""#) ? 2 : 1))
            }
        }
        // Full parses (the first of each shape) claim nothing; flat ones say what the shape is.
        #expect(distinct == [false, true, false, false])
    }

    @Test("texts of alternating shapes stop the flat attempts; a shape that repeats takes them up again")
    func pausesOnChangingShapes() throws {
        var tape = JSONTape()
        let one = #"{"a":1,"b":2}"#, other = #"{"b":1,"a":2}"#
        var flat: [Bool] = []
        for text in Array(repeating: [one, other], count: 4).flatMap({ $0 }) + [one, one, one, one] {
            try Array(text.utf8).withUnsafeBytes { bytes in
                try tape.parse(bytes)
                // Only a parse that took the flat path claims distinct keys.
                flat.append(tape.topLevelKeysDistinct)
            }
        }
        // Every alternating text misses; after the pause the second "one" in a row
        // shows the shape repeating, and the third is read by comparing keys.
        #expect(flat == Array(repeating: false, count: 10) + [true, true])
    }

    /// Whitespace JSON allows, often none.
    func space(_ random: inout SplitMix) -> String {
        [" ", "", "", "", "\n", "\t "][random.below(6)]
    }

    /// A scalar, now and then an escaped string or a nested value.
    func value(_ random: inout SplitMix) -> String {
        switch random.below(9) {
        case 0: return "\"plain text \(random.below(1_000))\""
        case 1: return #""with \"escapes\" and \u00e9""#
        case 2: return String(random.below(100_000))
        case 3: return "-12.5e-3"
        case 4: return ["true", "false", "null"][random.below(3)]
        case 5: return #"{"n":[1,"two"]}"#
        case 6: return "[]"
        default: return "\"\(String(repeating: "long text ", count: random.below(6)))\""
        }
    }
}

/// A small seeded generator, so a failure repeats.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
