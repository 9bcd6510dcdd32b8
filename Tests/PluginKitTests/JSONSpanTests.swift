import SluicePluginKit
import Testing

/// Reading values where they lie: ``JSONParser/validate(_:)`` and the member lookups.
@Suite("JSONSpan")
struct JSONSpanTests {
    /// `body` with the UTF-8 of `text` and its validated top-level value.
    private func withRecord<T>(_ text: String, _ body: (JSONSpan, UnsafeRawBufferPointer) throws -> T) throws -> T {
        try Array(text.utf8).withUnsafeBytes { bytes in try body(JSONParser.validate(bytes), bytes) }
    }

    @Test("validate refuses what parse refuses, with the same offset and expectation", arguments: [
        "", "{", "{\"a\":}", "[1,]", "01", "1.", "-", "\"\u{01}\"", "{\"a\":1} x", "tru", "\"\\x\"", "NaN", "{'a':1}",
        "{\"a\" 1}", "[1 2]", "{\"a\":[{\"b\":nul}]}", String(repeating: "[", count: 200),
    ])
    func sameErrors(_ text: String) {
        Array(text.utf8).withUnsafeBytes { bytes in
            var parseError: JSONSyntaxError?
            var validateError: JSONSyntaxError?
            do throws(JSONSyntaxError) { _ = try JSONParser.parse(bytes) } catch { parseError = error }
            do throws(JSONSyntaxError) { _ = try JSONParser.validate(bytes) } catch { validateError = error }
            #expect(parseError != nil)
            #expect(parseError?.description == validateError?.description)
        }
    }

    @Test("members: kinds and text ranges in source order; the last duplicate wins")
    func members() throws {
        let text = #" {"s":"a\"b","n":-1.5e3,"t":true,"z":null,"l":[1,{"x":2}],"o":{"k":"v"},"s":"last"} "#
        try withRecord(text) { record, bytes in
            #expect(record.kind == .object)
            var seen: [(String, JSONSpan.Kind)] = []
            JSONParser.forEachMember(of: record, in: bytes) { key, value in seen.append((key.text(in: bytes), value.kind)) }
            #expect(seen.map(\.0) == ["s", "n", "t", "z", "l", "o", "s"])
            #expect(seen.map(\.1) == [.string(escaped: true), .number, .bool(true), .null, .array, .object, .string(escaped: false)])

            let last = try #require(JSONParser.lastMember(named: Array("s".utf8), of: record, in: bytes))
            #expect(last.text(in: bytes) == "last")
            #expect(JSONParser.lastMember(named: Array("n".utf8), of: record, in: bytes)?.text(in: bytes) == "-1.5e3")
            #expect(JSONParser.lastMember(named: Array("l".utf8), of: record, in: bytes)?.text(in: bytes) == #"[1,{"x":2}]"#)
            #expect(JSONParser.lastMember(named: Array("missing".utf8), of: record, in: bytes) == nil)
            let nested = try #require(JSONParser.lastMember(named: Array("o".utf8), of: record, in: bytes))
            #expect(JSONParser.lastMember(named: Array("k".utf8), of: nested, in: bytes)?.text(in: bytes) == "v")
            // Only objects have members.
            let number = try #require(JSONParser.lastMember(named: Array("n".utf8), of: record, in: bytes))
            #expect(JSONParser.lastMember(named: Array("k".utf8), of: number, in: bytes) == nil)
        }
    }

    @Test("keys are compared decoded: an escaped key matches its plain name")
    func escapedKeys() throws {
        try withRecord(#"{"\u0073ym":1,"sym\"":2}"#) { record, bytes in
            #expect(JSONParser.lastMember(named: Array("sym".utf8), of: record, in: bytes)?.text(in: bytes) == "1")
            #expect(JSONParser.lastMember(named: Array("sym\"".utf8), of: record, in: bytes)?.text(in: bytes) == "2")
            #expect(JSONParser.lastMember(named: Array("\\u0073ym".utf8), of: record, in: bytes) == nil)
        }
    }

    @Test("text is decoded and valid UTF-8: escapes resolved, invalid bytes become U+FFFD as in JSONValue")
    func text() throws {
        let bytes: [UInt8] = Array(#"{"a":"é\n\ud83d\ude00","b":""#.utf8) + [0xFF, 0x41] + Array(#"","c":"plain"}"#.utf8)
        try bytes.withUnsafeBytes { bytes in
            let record = try JSONParser.validate(bytes)
            let owned = JSONValue(try JSONParser.parse(bytes), in: bytes)
            for key in ["a", "b", "c"] {
                let span = try #require(JSONParser.lastMember(named: Array(key.utf8), of: record, in: bytes))
                #expect(span.text(in: bytes) == owned[key]?.stringValue)
            }
            let plain = try #require(JSONParser.lastMember(named: Array("c".utf8), of: record, in: bytes))
            // Plain valid text is lent from the source, not copied.
            plain.withText(in: bytes) { #expect($0.baseAddress == bytes.baseAddress! + plain.range.lowerBound) }
        }
    }

    @Test("UTF-8 validation", arguments: [
        ([UInt8](), true), (Array("aé🙂".utf8), true), ([0xC3], false), ([0xED, 0xA0, 0x80], false), ([0xC0, 0xAF], false),
    ])
    func utf8(_ bytes: [UInt8], _ valid: Bool) {
        #expect(UTF8Validation.isValid(bytes) == valid)
    }

    @Test("integers read as Int64(String) reads them; decimals written exactly", arguments: [
        ("0", Int64?(0)), ("-0", 0), ("42", 42), ("9223372036854775807", .max), ("-9223372036854775808", .min),
        ("-1", -1), ("9", 9), ("10", 10), ("1700000000123", 1_700_000_000_123), ("-1000000000000000000", -1_000_000_000_000_000_000),
        ("9223372036854775808", nil), ("-9223372036854775809", nil), ("1.0", nil), ("1e3", nil), ("-", nil), ("", nil),
    ])
    func integers(_ text: String, _ expected: Int64?) {
        let parsed = Array(text.utf8).withUnsafeBytes { NumberText.int64($0) }
        #expect(parsed == expected)
        #expect(parsed == Int64(text))
        if let expected {
            var output: [UInt8] = []
            NumberText.appendDecimal(expected, to: &output)
            #expect(String(decoding: output, as: UTF8.self) == String(expected))
        }
    }

    @Test("a number is finite exactly when Double(String) reads it as finite", arguments: [
        "0", "-0.5", "101.25", "1e308", "1.7976931348623157e308", "1.7976931348623159e308", "1e309", "-1E400", "1e-400",
        String(repeating: "9", count: 308), String(repeating: "9", count: 309), "0." + String(repeating: "9", count: 400),
        "-" + String(repeating: "9", count: 307) + ".5",
    ])
    func finiteNumbers(_ text: String) {
        #expect(Array(text.utf8).withUnsafeBytes { NumberText.isFinite($0) } == Double(text)!.isFinite)
    }

    @Test("doubles read as Double(String) reads them", arguments: ["101.25", "-0", "1e-5", "1.7976931348623157e308", "1e400", "-1e400", "123456789012345678901234567890"])
    func doubles(_ text: String) {
        let parsed = Array(text.utf8).withUnsafeBytes { NumberText.double($0) }
        #expect(parsed == Double(text))
    }
}
