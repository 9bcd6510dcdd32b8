import SluicePluginKit
import Testing

@Suite("JSONText quoting, as a String and appended as bytes")
struct JSONTextQuotingTests {
    @Test("quotes, backslashes, control characters, DEL and U+2028/U+2029 are escaped; other text stays UTF-8",
          arguments: [
              ("plain", #""plain""#),
              ("a\"b\\c", #""a\"b\\c""#),
              ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
              ("\u{00}\u{1F}\u{7F}", #""\u0000\u001f\u007f""#),
              ("x\u{2028}y\u{2029}", #""x\u2028y\u2029""#),
              ("é日本😀\u{2027}", "\"é日本😀\u{2027}\""),
              // Escapes at either end of a run of plain text, and characters sharing U+2028's lead byte.
              ("\"run\\", #""\"run\\""#),
              ("€ and \u{2028}", "\"€ and \\u2028\""),
              ("\u{2029}", #""\u2029""#),
              ("", "\"\""),
          ])
    func quoting(text: String, expected: String) {
        #expect(JSONText.quoted(text) == expected)
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        JSONText.appendQuoted(text, to: &bytes)
        #expect(bytes == [UInt8(ascii: "[")] + Array(expected.utf8))
        // A writer's own buffer gets the same bytes, from a capacity small enough to grow on the way.
        var buffer = JSONOutputBuffer(capacity: 1)
        buffer.append(UInt8(ascii: "["))
        JSONText.appendQuoted(text, to: &buffer)
        let written = buffer.withUnsafeBytes { Array($0) }
        #expect(written == bytes)
    }

    @Test("a JSONOutputBuffer grows as it is appended to, and lets go of large storage when emptied")
    func outputBuffer() {
        var buffer = JSONOutputBuffer(capacity: 16)
        var expected: [UInt8] = []
        for round in 0..<200 {
            let text = Array("chunk \(round);".utf8)
            text.withUnsafeBytes { buffer.append(contentsOf: $0) }
            buffer.append(UInt8(ascii: "|"))
            NumberText.appendDecimal(Int64(-round), to: &buffer)
            expected += text + [UInt8(ascii: "|")] + Array(String(-round).utf8)
        }
        buffer.append(utf8: "end")
        expected += Array("end".utf8)
        // (Read before #expect: the macro would copy the buffer, which is not copyable.)
        let count = buffer.count, written = buffer.withUnsafeBytes { Array($0) }
        #expect(count == expected.count)
        #expect(written == expected)
        buffer.removeAll(retainingAtMost: 64)
        let emptied = buffer.isEmpty
        #expect(emptied)
        buffer.append(utf8: "again")
        let again = buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        #expect(again == "again")
    }

    @Test("each escape is found at every place of texts up to 40 bytes, within and across sixteen-byte blocks")
    func escapesAtEveryPlace() {
        let escapes: [(character: String, written: String)] = [
            ("\"", #"\""#), ("\\", #"\\"#), ("\n", #"\n"#), ("\u{01}", #"\u0001"#), ("\u{7F}", #"\u007f"#),
            ("\u{2028}", #"\u2028"#), ("€", "€"), ("\u{2027}", "\u{2027}"),
        ]
        for length in 0...40 {
            for position in 0...length {
                let before = String(repeating: "a", count: position), after = String(repeating: "b", count: length - position)
                for (character, written) in escapes {
                    let expected = "\"" + before + written + after + "\""
                    #expect(JSONText.quoted(before + character + after) == expected, "\(length) bytes, escape at \(position)")
                }
            }
            #expect(JSONText.quoted(String(repeating: "z", count: length)) == "\"" + String(repeating: "z", count: length) + "\"")
        }
    }
}

