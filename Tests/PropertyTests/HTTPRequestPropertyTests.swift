import Foundation
import PropertyBased
import SluiceHTTPClient
@testable import SluiceHTTPPlugin
import SluicePluginKit
import Testing

/// The http plugin's request templates under hostile record fields: a value
/// substituted into the URL stays one path segment (no new segment, query or
/// fragment), one substituted into the JSON body stays a JSON string, and a
/// number reaches the body exactly as the record wrote it.
@Suite("HTTP request template properties")
struct HTTPRequestPropertyTests {
    /// The record `{"id": id, "user_id": user, "quantity": 3, "symbol": symbol}` as JSON bytes.
    private static func record(id: String, user: String, symbol: String) -> [UInt8] {
        let object: [String: Any] = ["id": id, "user_id": user, "quantity": 3, "symbol": symbol]
        return [UInt8]((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    @Test("a hostile id is one percent-encoded path segment (an empty one is refused); the query is the template's own")
    func urlSegments() async throws {
        var configuration = HTTPAgentConfiguration()
        configuration.url = "http://127.0.0.1:8080/users/{id}/orders?source=sluice"
        let builder = RequestBuilder(configuration: configuration, headers: [])
        await checkProperty(count: 2000, input: HostileText.jsonString) { id in
            let value = Self.record(id: id, user: "u", symbol: "S")
            if id.isEmpty {
                #expect(throws: (any Error).self, "an empty path segment is refused") {
                    try value.withUnsafeBytes { try builder.request(for: $0) }
                }
                return
            }
            let request = try value.withUnsafeBytes { try builder.request(for: $0) }
            let components = try #require(URLComponents(string: request.url), "not a URL: \(request.url.debugDescription)")
            let segments = components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            #expect(segments.count == 4 && segments[1] == "users" && segments[3] == "orders", "\(request.url.debugDescription)")
            if segments.count == 4 { #expect(segments[2].removingPercentEncoding == id, "\(request.url.debugDescription)") }
            #expect(components.percentEncodedQuery == "source=sluice")
            #expect(components.fragment == nil)
            #expect(components.host == "127.0.0.1" && components.port == 8080)
        }
    }

    @Test("hostile field values in the default body stay JSON string values, read back exactly")
    func bodyValues() async throws {
        let builder = RequestBuilder(configuration: HTTPAgentConfiguration(), headers: [])
        await checkProperty(count: 2000, input: HostileText.jsonString, HostileText.jsonString) { user, symbol in
            let value = Self.record(id: "1", user: user, symbol: symbol)
            let request = try value.withUnsafeBytes { try builder.request(for: $0) }
            let body = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            #expect(body?["user"] as? String == user, "\(String(decoding: request.body, as: UTF8.self))")
            #expect(body?["body"] as? String == "Order: 3 shares of \(symbol)")
            #expect(body?["subject"] as? String == "Order Confirmation")
        }
    }

    /// One decimal digit.
    private static let digit = Gen<Character?>.element(of: Array("0123456789")).compactMap { $0 }

    @Test("a record's number reaches the body digit for digit, as a value and inside a string")
    func numbersAsWritten() async throws {
        var configuration = HTTPAgentConfiguration()
        configuration.url = "http://127.0.0.1:8080/orders"
        configuration.body = .object([(key: "amount", value: .string("{amount}")), (key: "note", value: .string("paid {amount}"))])
        let builder = RequestBuilder(configuration: configuration, headers: [])
        await checkProperty(count: 1000, input: Self.digit.string(of: 1...25), Self.digit.string(of: 0...8), Gen<Int>.value(in: -400...400), Gen.bool) {
            integer, fraction, exponent, negative in
            // JSON's grammar: no leading zero; the exponent only on every other case.
            let significant = integer.drop { $0 == "0" }
            let whole = significant.isEmpty ? "0" : String(significant)
            let text = (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
                + (exponent.isMultiple(of: 2) ? "" : "E\(exponent)")
            let value = Array(#"{"amount":\#(text),"user_id":"u"}"#.utf8)
            let request = try value.withUnsafeBytes { try builder.request(for: $0) }
            #expect(String(decoding: request.body, as: UTF8.self) == #"{"amount":\#(text),"note":"paid \#(text)"}"#)
        }
    }
}
