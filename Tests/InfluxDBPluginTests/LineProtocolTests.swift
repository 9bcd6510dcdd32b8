import SluiceInfluxDBPlugin
import Testing

/// Line protocol escaping and point encoding, checked against the text InfluxDB 1.x expects.
@Suite("Line protocol")
struct LineProtocolTests {
    @Test("measurement escapes commas and spaces; keys and tag values also '='")
    func escaping() throws {
        #expect(try LineProtocol.escapeMeasurement("market data,eu") == #"market\ data\,eu"#)
        #expect(try LineProtocol.escapeMeasurement("a=b") == "a=b")
        #expect(try LineProtocol.escapeKey("New York, NY=1") == #"New\ York\,\ NY\=1"#)
        #expect(try LineProtocol.escapeKey(#"C:\path"#) == #"C:\path"#) // a lone backslash stays literal
    }

    @Test("string fields are quoted with quotes and backslashes escaped; newlines allowed")
    func strings() {
        #expect(LineProtocol.quoteString(#"say "hi" \ bye"#) == #""say \"hi\" \\ bye""#)
        #expect(LineProtocol.quoteString("two\nlines") == "\"two\nlines\"")
    }

    @Test("names line protocol cannot express are refused", arguments: [
        "ends with\\", "back\\,slash", "line\nbreak", "back\\ space", "back\\=equals",
    ])
    func unrepresentable(_ value: String) {
        #expect(throws: LineProtocol.Unrepresentable.self) { try LineProtocol.escapeKey(value) }
    }

    @Test("a point: tags sorted, empty tags left out, integers with i, timestamp last")
    func point() throws {
        let line = try LineProtocol.line(
            measurement: "trades",
            tags: [(key: "venue", value: "X NYS"), (key: "empty", value: ""), (key: "symbol", value: "A,B=C")],
            fields: [(key: "price", value: .float("101.5")), (key: "qty", value: .integer(-3)),
                     (key: "note", value: .string(#"a "b""#)), (key: "ok", value: .boolean(true))],
            timestamp: 1_700_000_000)
        #expect(line == #"trades,symbol=A\,B\=C,venue=X\ NYS price=101.5,qty=-3i,note="a \"b\"",ok=true 1700000000"#)
    }

    @Test("a point needs a measurement and a field")
    func incomplete() {
        #expect(throws: LineProtocol.Unrepresentable.self) {
            try LineProtocol.line(measurement: "", tags: [], fields: [(key: "v", value: .integer(1))], timestamp: nil)
        }
        #expect(throws: LineProtocol.Unrepresentable.self) {
            try LineProtocol.line(measurement: "m", tags: [], fields: [], timestamp: nil)
        }
    }
}
