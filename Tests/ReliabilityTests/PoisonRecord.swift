import Foundation

/// The kinds of bad record the poison-record suite mixes into a stream of
/// feed activities, each with the reason the redis plugin must give for it.
///
/// The plugin under test runs `ZADD {user} {timestamp:epoch} {key}`: the record
/// key is the sorted-set member, so a record without a key is bad too.
enum PoisonRecord: CaseIterable {
    case invalidJSON
    case missingField
    case wrongType
    case invalidUTF8
    case emptyValue
    case nullKey
    /// 5 MB: a huge document missing a field, or nesting deeper than the parser allows.
    case hugeValue

    /// The kinds cheap enough to send by the thousand.
    static let small: [PoisonRecord] = allCases.filter { $0 != .hugeValue }

    /// A good feed activity: user `u<n % 50>`, a unique message, an ISO-8601 time.
    static func goodValue(_ n: Int) -> [UInt8] {
        let millis = String(format: "%03d", n % 1000)
        return Array(#"{"user":"u\#(n % 50)","message":"activity \#(n)","timestamp":"2019-05-21T13:55:12.\#(millis)Z"}"#.utf8)
    }

    /// Key, value and the text the dead letter's `sluice.error` must contain,
    /// for the `n`-th record of this kind (variants alternate with `n`).
    func record(_ n: Int) -> (key: [UInt8]?, value: [UInt8]?, reason: String) {
        let key = Array("bad-\(n)".utf8)
        switch self {
        case .invalidJSON:
            return (key, Array(#"{"user": "u1", "message": "cut off"#.utf8),
                    "the value is not valid JSON: malformed JSON at byte")
        case .missingField:
            return (key, Array(#"{"user":"u1","message":"no time"}"#.utf8), "missing field 'timestamp'")
        case .wrongType:
            if n.isMultiple(of: 2) {
                return (key, Array(#"{"user":"u1","message":"m","timestamp":1558446912}"#.utf8),
                        "field 'timestamp': 1558446912 is not an ISO-8601 timestamp")
            }
            return (key, Array(#"{"user":null,"message":"m","timestamp":"2019-05-21T13:55:12Z"}"#.utf8),
                    "field 'user' is null")
        case .invalidUTF8:
            // Latin-1 bytes, not UTF-8: 0xE9 cannot start a JSON value.
            return (key, [0xE9, 0x74, 0xE9, 0xFF, 0xFE, 0x7B, 0x7D], "malformed JSON at byte 0: expected a value")
        case .emptyValue:
            if n.isMultiple(of: 2) { return (key, [], "malformed JSON at byte 0: expected a value") }
            return (key, nil, "the record has no value")
        case .nullKey:
            return (nil, Self.goodValue(n), "the record has no key (needed by {key})")
        case .hugeValue:
            let size = 5 * 1024 * 1024
            if n.isMultiple(of: 2) {
                let filler = String(repeating: "x", count: size)
                return (key, Array(#"{"user":"u1","message":"\#(filler)"}"#.utf8), "missing field 'timestamp'")
            }
            return (key, [UInt8](repeating: UInt8(ascii: "["), count: size), "levels of nesting")
        }
    }
}
