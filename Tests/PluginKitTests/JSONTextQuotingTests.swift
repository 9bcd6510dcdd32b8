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
    }
}
