@testable import SluiceSDK
import Testing

/// The encoders an instance lends for produced JSON: one per value being
/// encoded at once, made when all are lent out and kept afterwards.
@Suite("ReusableRecordEncoder: encoders lent per produced value")
struct ReusableRecordEncoderTests {
    @Test("a value encoded while another is: a second encoder, kept afterwards; a lone value reuses one")
    func lentAndKept() throws {
        let pool = ReusableRecordEncoder()
        #expect(pool.idleCount == 1)
        let texts = try pool.withEncoder { outer in
            try outer.withEncoded(["a": 1]) { outerText in
                let inner = try pool.withEncoder { inner in
                    #expect(inner !== outer, "the lent encoder is not lent twice")
                    return try inner.withEncoded(["b": 2]) { String(decoding: $0, as: UTF8.self) }
                }
                return (String(decoding: outerText, as: UTF8.self), inner)
            }
        }
        #expect(texts.0 == #"{"a":1}"# && texts.1 == #"{"b":2}"#)
        #expect(pool.idleCount == 2, "both are kept for the next values")
        let first = pool.withEncoder { ObjectIdentifier($0) }
        let second = pool.withEncoder { ObjectIdentifier($0) }
        #expect(first == second, "one value at a time takes the same encoder")
        #expect(pool.idleCount == 2)
    }
}
