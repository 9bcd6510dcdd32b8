import Foundation
import SluiceAdmin
import SluiceHost
import Testing

/// How request bodies become records.
@Suite("Produce request bodies")
struct ProduceRequestTests {
    private func records(_ body: String, _ contentType: String? = "application/json") throws(AdminHTTPError) -> [OutgoingRecord] {
        try ProduceRequest.records(topic: "t", body: Data(body.utf8), contentType: contentType)
    }

    @Test("a string value is its bytes; other JSON is compact JSON; null and absent are null")
    func values() throws {
        #expect(try records(#"{"value": "héllo"}"#)[0].value == Array("héllo".utf8))
        #expect(try records(#"{"value": {"b": [1, true, null], "a": "x/y"}}"#)[0].value
                == Array(#"{"a":"x/y","b":[1,true,null]}"#.utf8))
        #expect(try records(#"{"value": 12}"#)[0].value == Array("12".utf8))
        #expect(try records(#"{"value": null, "key": null}"#)[0].value == nil)
        #expect(try records(#"{"key": "k"}"#)[0].value == nil)
        #expect(try records(#"{"key": "k"}"#)[0].key == Array("k".utf8))
    }

    @Test("headers, partition, arrays and NDJSON; the media type's parameters are ignored")
    func shapes() throws {
        let record = try records(#"{"value": "v", "headers": {"b": "2", "a": "1"}, "partition": 3}"#)[0]
        #expect(record.headers == [.init(name: "a", text: "1"), .init(name: "b", text: "2")])
        #expect(record.partition == 3)
        #expect(record.topic == "t")
        #expect(try records(#"[{"value": "1"}, {"value": "2"}]"#).count == 2)
        let ndjson = try records("{\"value\": \"1\"}\r\n\n{\"value\": \"2\"}", "application/x-ndjson; charset=utf-8")
        #expect(ndjson.map(\.value) == [Array("1".utf8), Array("2".utf8)])
        #expect(try records(#"{"value": "v"}"#, nil).count == 1, "no Content-Type: JSON")
    }

    @Test("errors are 400s naming the problem")
    func errors() {
        #expect(throws: AdminHTTPError.self) { try records("{") }
        do {
            _ = try records("{\"value\": \"ok\"}\n[]", "application/x-ndjson")
            Issue.record("expected an error")
        } catch {
            #expect(error.status == .badRequest)
            #expect(error.message == "line 2: expected a JSON object with key, value, headers, found an array")
        }
    }
}
