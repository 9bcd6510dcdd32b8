import Foundation
import SluiceAdmin
import SluiceHost
import Testing

/// `value_base64`: a value's bytes that are not UTF-8 text, as `sluice send --value-file` sends them.
@Suite("Produce request bodies: value_base64")
struct ProduceRequestBase64Tests {
    private func records(_ body: String) throws(AdminHTTPError) -> [OutgoingRecord] {
        try ProduceRequest.records(topic: "t", body: Data(body.utf8), contentType: "application/json")
    }

    @Test("the bytes it encodes become the value exactly")
    func decodedExactly() throws {
        let bytes: [UInt8] = [0xFF, 0x00, 0x1B, 0xEF, 0xBB, 0xBF, 0x80]
        let produced = try records(#"{"key": "k", "value_base64": "\#(Data(bytes).base64EncodedString())"}"#)
        #expect(produced.first?.value == bytes)
        #expect(produced.first?.key == Array("k".utf8))
    }

    @Test("refused with a 400 naming the problem", arguments: [
        (#"{"value": "v", "value_base64": "dg=="}"#, #"body: give either "value" or "value_base64", not both"#),
        (#"{"value_base64": "not base64!"}"#, #"body: "value_base64" must be a base64 string"#),
        (#"{"value_base64": 12}"#, #"body: "value_base64" must be a base64 string"#),
    ])
    func refused(body: String, message: String) {
        do {
            _ = try records(body)
            Issue.record("expected an error for \(body)")
        } catch {
            #expect(error.status == .badRequest)
            #expect(error.message == message)
        }
    }
}
