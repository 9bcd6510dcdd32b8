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
}
