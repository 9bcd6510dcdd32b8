import Foundation
import SluiceSDK
import Testing

/// A record decoder that goes away leaves its parse storage to the next one
/// made, and keyed containers do not retain their decoder: what a decoder
/// carries over must never change what the next one reads, and a container
/// kept past its decode must never read freed memory.
@Suite("RecordDecoder reuse: storage handed on, containers kept past their decode")
struct RecordDecoderReuseTests {
    static let flagKey = CodingUserInfoKey(rawValue: "reuse-flag")!

    struct Pair: Decodable, Equatable {
        let a: String
        let b: String
    }

    @Test("a decoder made after another went away reads with its own options, whatever it inherited")
    func optionsAreTheNewDecoders() throws {
        struct Flagged: Decodable {
            let flag: Bool?
            init(from decoder: any Decoder) throws { flag = decoder.userInfo[RecordDecoderReuseTests.flagKey] as? Bool }
        }
        struct Stamp: Decodable { let at: Date }
        for round in 0..<20 {
            let flagged = round.isMultiple(of: 2)
            let options = flagged
                ? DecodingOptions(dateStrategy: .millisecondsSince1970, userInfo: [Self.flagKey: true])
                : DecodingOptions()
            let decoder = RecordDecoder(options: options)
            #expect(try decoder.decode(Flagged.self, from: #"{}"#).flag == (flagged ? true : nil))
            let at = try decoder.decode(Stamp.self, from: #"{"at": 1500}"#).at
            #expect(at == (flagged ? Date(timeIntervalSince1970: 1.5) : Date(timeIntervalSinceReferenceDate: 1500)))
        }
    }

    @Test("records of one shape read right after a decoder that learned another order and parsed a huge value went away")
    func rememberedKeysDoNotCarryOver() throws {
        do {
            let first = RecordDecoder()
            for _ in 0..<3 { #expect(try first.decode(Pair.self, from: #"{"a": "1", "b": "2"}"#) == Pair(a: "1", b: "2")) }
            // More entries than a decoder keeps when it goes back: its storage is replaced.
            let huge = "[" + Array(repeating: "0", count: 70_000).joined(separator: ",") + "]"
            #expect(try first.decode([Int].self, from: huge).count == 70_000)
        }
        let second = RecordDecoder()
        for round in 0..<5 {
            let pair = try second.decode(Pair.self, from: #"{"b": "b\#(round)", "a": "a\#(round)"}"#)
            #expect(pair == Pair(a: "a\(round)", b: "b\(round)"))
        }
    }

    @Test("a container of a superDecoder reads its value after that decoder was let go, record after record")
    func superDecoderContainerOutlivesItsDecoder() throws {
        struct Wrapper: Decodable {
            let name: String
            enum CodingKeys: String, CodingKey { case wrapped }
            enum Inner: String, CodingKey { case name }
            init(from decoder: any Decoder) throws {
                // The super decoder is a temporary: only its container is kept.
                let inner = try decoder.container(keyedBy: CodingKeys.self).superDecoder(forKey: .wrapped)
                    .container(keyedBy: Inner.self)
                name = try inner.decode(String.self, forKey: .name)
            }
        }
        let decoder = RecordDecoder()
        for round in 0..<5 {
            let text = #"{"wrapped": {"name": "n\#(round)"}}"#
            #expect(try decoder.decode(Wrapper.self, from: text).name == "n\(round)")
        }
    }

    @Test("a container kept past its decoder's life stops the process with a message, not a wild read")
    func containerKeptPastItsDecoder() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            do {
                let decoder = RecordDecoder()
                _ = try? decoder.decode(EscapingRecord.self, from: #"{"name": "late"}"#)
            }
            // The record decoder is gone; its decoder is not.
            _ = try? EscapingRecord.kept.container?.decode(String.self, forKey: .name)
        }
        let message = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(message.contains("a decoding container was used after the decode that made it returned"))
    }
}
