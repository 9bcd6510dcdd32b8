import Foundation
import PropertyBased
import SluiceInfluxDBPlugin
import Testing

/// InfluxQL text under hostile names and values: configured identifiers stay
/// inside their quotes, and message values never reach the query text.
@Suite("InfluxQL properties")
struct InfluxQLPropertyTests {
    /// Splits a statement into its double-quoted identifiers (unescaped) and
    /// the text between them, the way InfluxQL's scanner reads `"…"` with `\` escapes.
    private static func lex(_ statement: String) -> (identifiers: [String], skeleton: String)? {
        var identifiers: [String] = []
        var skeleton = ""
        var scalars = statement.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\"" else { skeleton.unicodeScalars.append(scalar); continue }
            var identifier = String.UnicodeScalarView()
            var closed = false
            while let inner = scalars.next() {
                if inner == "\\" {
                    guard let escaped = scalars.next() else { return nil }
                    identifier.append(escaped)
                } else if inner == "\"" {
                    closed = true
                    break
                } else {
                    identifier.append(inner)
                }
            }
            guard closed else { return nil }
            identifiers.append(String(identifier))
            skeleton += "ID"
        }
        return (identifiers, skeleton)
    }

    @Test("hostile measurement, field, tag and retention policy names stay inside their quotes")
    func identifiersStayQuoted() async {
        await checkProperty(count: 2000, input: HostileText.string, HostileText.string, HostileText.string, HostileText.string) {
            measurement, field, tag, policy in
            var query = PriceQuery(measurement: measurement, field: field, tag: tag, retentionPolicy: policy)
            _ = query.add(PriceQuery.Lookup(symbol: "ACME", time: Timestamp(nanoseconds: 0)))
            let lexed = Self.lex(query.text)
            #expect(lexed?.identifiers == [field, policy, measurement, tag], "\(query.text.debugDescription)")
            #expect(lexed?.skeleton == "SELECT last(ID) FROM ID.ID WHERE ID = $symbol0 AND time <= $time0",
                    "\(query.text.debugDescription)")
        }
    }

    @Test("hostile symbols are bound parameters: never in the query text, given back exactly by the JSON parameters")
    func symbolsAreParameters() async {
        let times = Gen<Int64>.value(in: -4_000_000_000_000_000_000...4_000_000_000_000_000_000)
        await checkProperty(count: 2000, input: HostileText.jsonString.array(of: 1...5), times) { symbols, nanoseconds in
            var query = PriceQuery(measurement: "prices", field: "price", tag: "symbol")
            var plain = PriceQuery(measurement: "prices", field: "price", tag: "symbol")
            for (index, symbol) in symbols.enumerated() {
                _ = query.add(PriceQuery.Lookup(symbol: symbol, time: Timestamp(nanoseconds: nanoseconds + Int64(index))))
                _ = plain.add(PriceQuery.Lookup(symbol: "s\(index)", time: Timestamp(nanoseconds: nanoseconds + Int64(index))))
            }
            #expect(query.text == plain.text, "the query text depends on the symbols")
            let parsed = try? JSONSerialization.jsonObject(with: Data(query.parameters.utf8)) as? [String: String]
            for (index, lookup) in query.lookups.enumerated() {
                #expect(parsed?["symbol\(index)"] == lookup.symbol, "\(query.parameters.debugDescription)")
                #expect(parsed?["time\(index)"] == lookup.time.rfc3339)
            }
        }
    }

    @Test("a string literal reads back exactly and ends where it should")
    func stringLiterals() async {
        await checkProperty(count: 2000, input: HostileText.string) { value in
            let literal = InfluxQL.quoteString(value)
            var scalars = Array(literal.unicodeScalars)
            #expect(scalars.first == "'" && scalars.last == "'")
            scalars = Array(scalars.dropFirst().dropLast())
            var read = String.UnicodeScalarView()
            var index = 0
            while index < scalars.count {
                let scalar = scalars[index]
                #expect(scalar != "'", "an unescaped quote inside \(literal.debugDescription)")
                if scalar == "\\", index + 1 < scalars.count {
                    read.append(scalars[index + 1] == "n" ? "\n" : scalars[index + 1])
                    index += 2
                } else {
                    read.append(scalar)
                    index += 1
                }
            }
            #expect(String(read) == value)
        }
    }
}
