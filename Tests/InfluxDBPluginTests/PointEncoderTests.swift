import SluiceInfluxDBPlugin
import SluicePluginKit
import Testing

/// Records (JSON objects) to points, following the write-mode settings.
@Suite("Point encoder")
struct PointEncoderTests {
    private func line(_ encoder: PointEncoder, _ json: String, recordTimestamp: Int64 = 1_700_000_000_123) throws -> String {
        try encoder.line(forJSON: json, recordTimestampMilliseconds: recordTimestamp)
    }

    @Test("configured tags and fields, ISO time converted to the precision, numbers as floats unless integer fields")
    func configured() throws {
        let encoder = PointEncoder(measurement: "trades", tags: ["symbol", "venue"], fields: ["price", "qty", "side"],
                                   integerFields: ["qty"], timeField: "timestamp", precision: .milliseconds)
        let text = try line(encoder, #"{"symbol":"AAPL","venue":"X, Y=Z","price":101,"qty":5,"side":"buy","extra":1,"timestamp":"2023-11-14T22:13:20.5Z"}"#)
        #expect(text == #"trades,symbol=AAPL,venue=X\,\ Y\=Z price=101,qty=5i,side="buy" 1700000000500"#)
    }

    @Test("without a field list every other top-level scalar is a field; nested values are left out")
    func allFields() throws {
        let encoder = PointEncoder(measurement: "m", tags: ["t"], timeField: "ts", precision: .seconds)
        let text = try line(encoder, #"{"t":"x","a":1.5e3,"b":true,"c":null,"d":[1],"e":{"f":1},"ts":1700000000}"#)
        #expect(text == "m,t=x a=1.5e3,b=true 1700000000")
    }

    @Test("no time field: the record timestamp, in the precision")
    func recordTimestamp() throws {
        let encoder = PointEncoder(measurement: "m", timeField: nil, precision: .microseconds)
        #expect(try line(encoder, #"{"v":1}"#) == "m v=1 1700000000123000")
    }

    @Test("measurement from a record field")
    func measurementField() throws {
        let encoder = PointEncoder(measurement: "fallback", measurementField: "kind", timeField: nil, precision: .seconds)
        #expect(try line(encoder, #"{"kind":"cpu load","v":1}"#, recordTimestamp: 5000) == #"cpu\ load v=1 5"#)
        #expect(try line(encoder, #"{"v":1}"#, recordTimestamp: 5000) == "fallback v=1 5")
    }

    @Test("records that cannot be points are refused with a reason", arguments: [
        #"{"price":1}"#,                                   // no time
        #"{"timestamp":"yesterday","price":1}"#,           // bad time
        #"{"timestamp":1,"qty":1.5}"#,                     // integer field not integral
        #"{"timestamp":1,"other":[1]}"#,                   // no usable field
        #"[1,2]"#,                                         // not an object
        #"{"timestamp":1,"symbol":"a\\","price":1}"#,      // tag ending in a backslash
    ])
    func refused(_ json: String) {
        let encoder = PointEncoder(measurement: "m", tags: ["symbol"], fields: ["price", "qty"],
                                   integerFields: ["qty"], timeField: "timestamp", precision: .seconds)
        #expect(throws: LineProtocol.Unrepresentable.self) { try line(encoder, json) }
    }

    @Test("a refused record leaves the body as it was; the next one is appended after it")
    func rollback() throws {
        let encoder = PointEncoder(measurement: "m", tags: ["symbol"], fields: ["price"], timeField: nil, precision: .seconds)
        var body = Array("earlier line\n".utf8)
        let before = body
        for json in [#"{"symbol":"a\\","price":1}"#, #"{"symbol":"a","price":[1]}"#, #"{"price":1e999}"#] {
            let bytes = Array(json.utf8)
            #expect(throws: LineProtocol.Unrepresentable.self) {
                try bytes.withUnsafeBytes { bytes in
                    try encoder.appendLine(for: JSONParser.validate(bytes), in: bytes, recordTimestampMilliseconds: 5000, to: &body)
                }
            }
            #expect(body == before)
        }
        let good = Array(#"{"symbol":"a b","price":2.50}"#.utf8)
        try good.withUnsafeBytes { bytes in
            try encoder.appendLine(for: JSONParser.validate(bytes), in: bytes, recordTimestampMilliseconds: 5000, to: &body)
        }
        #expect(String(decoding: body, as: UTF8.self) == "earlier line\n" + #"m,symbol=a\ b price=2.50 5"#)
    }

    @Test("JSON escapes are decoded, invalid UTF-8 becomes U+FFFD, the last duplicate wins, dotted paths reach nested values")
    func recordText() throws {
        let encoder = PointEncoder(measurement: "m", tags: ["sym", "order.venue"], fields: ["note", "qty"],
                                   integerFields: ["qty"], timeField: "t", precision: .seconds)
        #expect(try line(encoder, #"{"\u0073ym":"x\u0020y","sym":"z,\"q\"","order":{"venue":"v"},"note":"a\"b\\c\nd","qty":-0,"t":1}"#)
                == #"m,order.venue=v,sym=z\,"q" note="a\"b\\c"# + "\nd\",qty=0i 1")
        let invalid: [UInt8] = Array(#"{"sym":""#.utf8) + [0xFF] + Array(#"","note":"n","t":1}"#.utf8)
        var body: [UInt8] = []
        try invalid.withUnsafeBytes { bytes in
            try encoder.appendLine(for: JSONParser.validate(bytes), in: bytes, recordTimestampMilliseconds: 0, to: &body)
        }
        #expect(String(decoding: body, as: UTF8.self) == "m,sym=\u{FFFD} note=\"n\" 1")
    }

    @Test("a record with several faults is refused for the first one, in the order values are checked", arguments: [
        // The tag's type is checked before the measurement's name is escaped.
        (##"{"kind":"#x","symbol":[1],"price":1,"t":1}"##, "tag 'symbol' must be a string, number or boolean"),
        // Field values before the time, the time before any name.
        (##"{"kind":"#x","price":[1],"t":"bad"}"##, "field 'price' must be a string, number or boolean"),
        (##"{"kind":"#x","symbol":"a\\","price":1,"t":"bad"}"##, "'t' is not an RFC 3339 time with a zone: bad"),
        (##"{"kind":"#x","symbol":"a\\","price":1,"t":1}"##, "measurement starts with '#', which line protocol reads as a comment"),
    ])
    func firstFault(_ json: String, _ reason: String) {
        let encoder = PointEncoder(measurement: "m", measurementField: "kind", tags: ["symbol"], fields: ["price"],
                                   timeField: "t", precision: .seconds)
        #expect(throws: LineProtocol.Unrepresentable(reason)) { try line(encoder, json) }
    }

    @Test("finding the members in one pass writes what reading them one by one writes, line or refusal", arguments: [
        #"{"symbol":"a","order":{"venue":"v","id":7},"price":1.5,"qty":2,"t":1}"#,
        #"{"order.venue":"whole","order":{"venue":"nested"},"price":1,"t":1}"#,     // the whole name wins
        #"{"order":{"venue":"first"},"order":{"id":1},"price":1,"t":1}"#,           // the last parent wins: no venue
        #"{"order":"flat","price":1,"t":1}"#,                                       // a parent that is not an object
        #"{"order":{"venue":null},"symbol":null,"price":1,"qty":null,"t":1}"#,      // null is absent
        #"{"price":1,"price":[2],"t":1}"#,                                          // the last duplicate is checked
        #"{"kind":"cpu","price":true,"t":"2023-11-14T22:13:20Z"}"#,
        #"{"kind":["x"],"price":1,"t":1}"#,
        #"{"price":1}"#,
        #" [1] "#,
        #"{"\u0070rice":3,"t":1}"#,
    ])
    func onePassMatchesScans(_ json: String) {
        let encoder = PointEncoder(measurement: "m", measurementField: "kind", tags: ["symbol", "order.venue"],
                                   fields: ["price", "qty", "order.id"], integerFields: ["qty", "order.id"],
                                   timeField: "t", precision: .seconds)
        func outcome(_ encode: (UnsafeRawBufferPointer, inout [UInt8]) throws -> Void) -> String {
            var body: [UInt8] = []
            do {
                try Array(json.utf8).withUnsafeBytes { try encode($0, &body) }
                return String(decoding: body, as: UTF8.self)
            } catch {
                return "refused: \(error)"
            }
        }
        let scanned = outcome { bytes, body in
            try encoder.appendLine(for: JSONParser.validate(bytes), in: bytes, recordTimestampMilliseconds: 0, to: &body)
        }
        let located = outcome { bytes, body in
            var located = PointEncoder.LocatedRecord()
            try encoder.locate(bytes, into: &located)
            try encoder.appendLine(for: located, in: bytes, recordTimestampMilliseconds: 0, to: &body)
        }
        #expect(located == scanned)
    }
}
