import SluicePluginKit
import Testing

@Suite("JSONTape: a flat, reusable index of a JSON text")
struct JSONTapeTests {
    /// Parses `text` into `tape` and runs `body` with the bytes.
    func withTape(_ tape: inout JSONTape, _ text: String,
                  _ body: (JSONTape, UnsafeRawBufferPointer) throws -> Void) throws {
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBytes { buffer in
            try tape.parse(buffer)
            try body(tape, buffer)
        }
    }

    @Test("children follow their parent; next skips a whole subtree; members are found by decoded key")
    func layout() throws {
        var tape = JSONTape()
        try withTape(&tape, #"{"a": [1, {"b": null}], "c\u0064": "x", "a": true}"#) { tape, bytes in
            let entries = tape.entries
            #expect(entries.count == 7)
            #expect(entries[0].value.kind == .object && entries[0].childCount == 3 && entries[0].next == 7)
            #expect(entries[1].value.kind == .array && entries[1].childCount == 2 && entries[1].next == 5)
            #expect(entries[3].value.kind == .object && entries[3].next == 5)
            #expect(entries[5].value.text(in: bytes) == "x")
            let lastA = Array("a".utf8).withUnsafeBytes { tape.member(named: $0, of: 0, in: bytes) }
            #expect(lastA == 6, "the last of repeated keys, as the parser's lookup")
            let cd = Array("cd".utf8).withUnsafeBytes { tape.member(named: $0, of: 0, in: bytes) }
            #expect(cd == 5)
            let missing = Array("z".utf8).withUnsafeBytes { tape.member(named: $0, of: 0, in: bytes) }
            #expect(missing == nil)
        }
    }

    @Test("a string's quote, backslash or control character is found at every position of a long run")
    func stringScanEveryPosition() throws {
        var tape = JSONTape()
        // Longer than two sixteen-byte blocks and several eight-byte words: each case below
        // is also tried with text after the string, so the last block is not the text's end.
        let plain = "0123456789abcdef0123456789abcdef01234567"
        for position in 0...plain.count {
            let prefix = String(plain.prefix(position)), suffix = String(plain.dropFirst(position))
            // An escaped quote and an escaped backslash: the string goes on past them.
            try withTape(&tape, "\"" + prefix + #"\"\\"# + suffix + "\"") { tape, bytes in
                #expect(tape.entries[0].value.kind == .string(escaped: true))
                #expect(tape.entries[0].value.text(in: bytes) == prefix + #""\"# + suffix)
            }
            // A quote ends the string there: what follows is not JSON.
            #expect(throws: JSONSyntaxError.self) { try withTape(&tape, "\"" + prefix + "\"" + suffix + "\"") { _, _ in } }
            // A raw control character (here a tab, and U+001F) is refused; DEL (0x7F) and non-ASCII are text.
            for control in ["\u{09}", "\u{1F}", "\u{00}"] {
                #expect(throws: JSONSyntaxError.self) { try withTape(&tape, "\"" + prefix + control + suffix + "\"") { _, _ in } }
            }
            try withTape(&tape, "\"" + prefix + "\u{7F}é" + suffix + "\"") { tape, bytes in
                #expect(tape.entries[0].value.kind == .string(escaped: false))
                #expect(tape.entries[0].value.text(in: bytes) == prefix + "\u{7F}é" + suffix)
            }
            try withTape(&tape, "[\"" + prefix + #"\n"# + suffix + "\", \"" + suffix + "\"]") { tape, bytes in
                #expect(tape.entries[1].value.kind == .string(escaped: true))
                #expect(tape.entries[1].value.text(in: bytes) == prefix + "\n" + suffix)
                #expect(tape.entries[2].value.text(in: bytes) == suffix)
            }
            #expect(throws: JSONSyntaxError.self) { try withTape(&tape, "[\"" + prefix + "\u{01}" + suffix + "\", 1]") { _, _ in } }
        }
    }

    @Test("a tape is reused: the second parse replaces the first")
    func reuse() throws {
        var tape = JSONTape()
        try withTape(&tape, "[1,2,3]") { tape, _ in #expect(tape.entries.count == 4) }
        try withTape(&tape, "7") { tape, _ in #expect(tape.entries.count == 1) }
    }

    @Test("a copy keeps its values when the original parses another text")
    func copyOnWrite() throws {
        var tape = JSONTape()
        var copy = JSONTape()
        try withTape(&tape, "[1,2,3]") { parsed, _ in copy = parsed }
        try withTape(&tape, #"{"a":"b"}"#) { tape, _ in #expect(tape.count == 2) }
        #expect(copy.count == 4)
        #expect(copy.entries.map(\.value.kind) == [.array, .number, .number, .number])
        #expect(copy.unsafeEntries[0].childCount == 3)
    }

    @Test("a tape grows past its first storage and keeps every value")
    func growth() throws {
        var tape = JSONTape()
        let elements = (0..<1_000).map(String.init).joined(separator: ",")
        try withTape(&tape, "[" + elements + "]") { tape, bytes in
            #expect(tape.count == 1_001)
            #expect(tape.unsafeEntries[0].childCount == 1_000)
            #expect(tape.unsafeEntries[1_000].value.text(in: bytes) == "999")
        }
    }

    @Test("broken text fails with the parser's error and leaves the tape empty",
          arguments: [#"{"a": }"#, "[1,", "01", #"{"a":1} x"#, String(repeating: "[", count: 200)])
    func errors(text: String) {
        var tape = JSONTape()
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            var parserError: JSONSyntaxError?
            do { _ = try JSONParser.parse(buffer) } catch let error as JSONSyntaxError { parserError = error } catch {}
            #expect(parserError != nil)
            #expect(throws: parserError!) { try tape.parse(buffer) }
            #expect(tape.entries.isEmpty)
        }
    }
}
