import Foundation
import PropertyBased
import SluiceHTTPClient
@testable import SluiceHTTPPlugin
import SluicePluginKit
import Testing

/// A record field in the http plugin's URL path, over every class of
/// character a URL gives meaning to: the value is exactly one path segment,
/// made only of unreserved characters and `%XX` escapes, never `.` or `..`,
/// and decodes back to the value.
@Suite("HTTP path segment properties")
struct HTTPPathSegmentPropertyTests {
    /// One representative set per character class.
    private static let classes: [[Character]] = [
        Array("azAZ09"),                  // unreserved letters and digits
        Array("-._~"),                    // unreserved marks (the dot among them)
        Array(":/?#[]@"),                 // RFC 3986 gen-delims
        Array("!$&'()*+,;="),             // RFC 3986 sub-delims
        Array("%"),                       // the escape character itself
        Array(" \"<>\\^`{|}"),            // excluded ASCII
        ["\u{0}", "\u{1}", "\t", "\n", "\r", "\u{1B}", "\u{7F}"], // controls
        ["é", "ß", "\u{80}", "\u{A0}"],   // two-byte UTF-8
        ["中", "€", "\u{2028}", "\u{FEFF}", "\u{FFFD}"], // three-byte UTF-8
        ["😀", "\u{10FFFF}"],             // four-byte UTF-8
    ]

    private static let anyCharacter = Gen<Character?>.element(of: classes.flatMap { $0 }).compactMap { $0 }
    private static let dotOrSlashOrEscape = Gen<Character?>.element(of: Array("./%2E")).compactMap { $0 }

    private static let builder: RequestBuilder = {
        var configuration = HTTPAgentConfiguration()
        configuration.url = "http://127.0.0.1:8080/api/users/alice/orders/{id}/confirm?via=sluice"
        configuration.method = "DELETE"
        configuration.passthrough = true // the body is not what these properties are about
        return RequestBuilder(configuration: configuration, headers: [])
    }()

    /// Checks that `id` reaches the URL as the one segment between `orders` and `confirm`.
    /// A thrown error is recorded as an issue here: the property runner does not count throws.
    private static func checkOneSegment(_ id: String) {
        let value = Array(#"{"id":\#(JSONText.quoted(id))}"#.utf8)
        let request: HTTPRequest
        do {
            request = try value.withUnsafeBytes { try builder.request(for: $0) }
        } catch {
            Issue.record("\(id.debugDescription) was refused: \(error)")
            return
        }
        let prefix = "http://127.0.0.1:8080/api/users/alice/orders/"
        let suffix = "/confirm?via=sluice"
        #expect(request.url.hasPrefix(prefix) && request.url.hasSuffix(suffix), "\(request.url.debugDescription)")
        let segment = String(request.url.dropFirst(prefix.count).dropLast(suffix.count))
        let unreserved = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%")
        #expect(segment.allSatisfy { unreserved.contains($0) }, "\(segment.debugDescription)")
        #expect(segment != "." && segment != "..", "\(id.debugDescription) became a dot segment")
        #expect(percentDecoded(segment) == Array(id.utf8), "\(segment.debugDescription) does not decode to \(id.debugDescription)")
    }

    /// The bytes `%XX` escapes stand for, byte for byte (Foundation's
    /// `removingPercentEncoding` drops a leading U+FEFF); nil for a broken escape.
    private static func percentDecoded(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    @Test("a value of characters from every class is one encoded segment that decodes back to it")
    func everyCharacterClass() async {
        await checkProperty(count: 3000, input: Self.anyCharacter.string(of: 1...16)) { id in
            Self.checkOneSegment(id)
        }
    }

    @Test("values of dots, slashes and escapes never become `.`, `..` or a second segment")
    func dotsAndSlashes() async {
        await checkProperty(count: 1000, input: Self.dotOrSlashOrEscape.string(of: 1...6)) { id in
            Self.checkOneSegment(id)
        }
    }

    @Test("every class, one character at a time, including each dot-only value")
    func eachCharacterAlone() {
        for character in Self.classes.flatMap({ $0 }) { Self.checkOneSegment(String(character)) }
        for dots in [".", "..", "..."] { Self.checkOneSegment(dots) }
    }

    @Test("an empty or null path value is refused, naming the field; in the query it is allowed")
    func emptyAndNull() throws {
        for json in [#""""#, "null"] {
            let value = Array(#"{"id":\#(json)}"#.utf8)
            let error = #expect(throws: TemplateError.self) { try value.withUnsafeBytes { try Self.builder.request(for: $0) } }
            #expect(error.map { "\($0)" }?.contains("URL path field 'id'") == true)
        }
        var configuration = HTTPAgentConfiguration()
        configuration.url = "http://127.0.0.1:8080/search?q={id}"
        configuration.passthrough = true
        let query = RequestBuilder(configuration: configuration, headers: [])
        let value = Array(#"{"id":""}"#.utf8)
        let request = try value.withUnsafeBytes { try query.request(for: $0) }
        #expect(request.url == "http://127.0.0.1:8080/search?q=")
    }
}
