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

    @Test("keys of every length up to 33 bytes that differ in one byte are told apart, by the flat path and by a lookup")
    func keysDifferingInOneByte() throws {
        for length in 0...33 {
            let key = String((0..<length).map { Character(UnicodeScalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
            let learned = #"{"\#(key)":1,"z":2}"#
            for position in 0..<length {
                var bytes = Array(key.utf8)
                bytes[position] = UInt8(ascii: "Z")
                let other = String(decoding: bytes, as: UTF8.self)
                var tape = JSONTape()
                for text in [learned, learned, #"{"\#(other)":1,"z":2}"#] {
                    let (reused, fresh) = parseBoth(&tape, text)
                    #expect(try reused.get() == fresh.get(), "key of \(length) bytes, byte \(position) changed: \(text)")
                }
                // The last text was read in full: its key is not the learned one.
                #expect(!tape.topLevelKeysDistinct)
                let found = try Array(#"{"\#(other)":1,"\#(key)":2}"#.utf8).withUnsafeBytes { text in
                    var tape = JSONTape()
                    try tape.parse(text)
                    return Array(key.utf8).withUnsafeBytes {
                        JSONTape.firstMember(named: $0, of: 0, in: tape.unsafeEntries, bytes: text)
                    }
                }
                #expect(found == 2, "key of \(length) bytes, byte \(position) changed")
            }
        }
    }
}
