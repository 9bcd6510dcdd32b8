import SluicePluginKit
import Testing

/// The number-preserving JSON parser, through its owned form.
@Suite("JSONValue")
struct JSONValueTests {
    @Test("numbers keep their text; strings unescape; order and duplicates kept")
    func values() throws {
        let value = try JSONValue.parse(#" {"a":1.50,"b":-0,"c":1e-5,"s":"q\"\\\/\n\u00e9\ud83d\ude00","t":true,"n":null,"l":[1,[]],"a":2} "#)
        #expect(value["a"] == .number("2")) // the last duplicate wins
        #expect(value["b"] == .number("-0"))
        #expect(value["c"] == .number("1e-5"))
        #expect(value["s"] == .string("q\"\\/\né😀"))
        #expect(value["t"] == .bool(true))
        #expect(value["n"] == .null)
        #expect(value["l"] == .array([.number("1"), .array([])]))
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["a", "b", "c", "s", "t", "n", "l", "a"])
    }

    @Test("dotted paths reach nested members")
    func paths() throws {
        let value = try JSONValue.parse(#"{"order":{"id":7},"a.b":1}"#)
        #expect(value.value(atPath: "order.id") == .number("7"))
        #expect(value.value(atPath: "a.b") == .number("1"))
        #expect(value.value(atPath: "order.missing") == nil)
    }

    @Test("compact text round-trips")
    func roundTrip() throws {
        let text = #"{"a":[1,2.5,"x\n\u0001"],"b":{"c":null,"d":false}}"#
        let value = try JSONValue.parse(text)
        #expect(value.jsonText == #"{"a":[1,2.5,"x\n\u0001"],"b":{"c":null,"d":false}}"#)
        #expect(try JSONValue.parse(value.jsonText) == value)
    }

    @Test("invalid JSON is refused", arguments: [
        "", "{", "{\"a\":}", "[1,]", "01", "1.", "-", "\"\u{01}\"", "{\"a\":1} x", "tru", "\"\\x\"", "NaN", "{'a':1}",
    ])
    func invalid(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
    }

    @Test("deep nesting is refused rather than overflowing the stack")
    func depth() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(deep) }
    }
}
