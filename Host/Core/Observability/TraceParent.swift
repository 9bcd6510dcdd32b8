/// A W3C trace context `traceparent` value: `VV-TTTT…(32)-SSSS…(16)-FF`, 55
/// characters of lower-case hex (https://www.w3.org/TR/trace-context/).
///
/// Parsing is a fixed-offset scan of 55 bytes with no allocation: the host
/// runs it on every record of a traced batch. Refused, as the specification
/// says: a wrong length or separator, upper-case or non-hex digits, version
/// `ff`, an all-zero trace id or an all-zero parent id. A version above `00`
/// is accepted when it is longer than 55 bytes only if byte 55 is `-` (the
/// rule for future versions); its first 55 bytes are read as version `00`.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// The header (and record header) name.
    public static let headerName = "traceparent"
    /// Length of a version-00 value.
    public static let length = 55

    /// The trace id, high 64 bits.
    public let traceIDHigh: UInt64
    /// The trace id, low 64 bits.
    public let traceIDLow: UInt64
    /// The parent (span) id.
    public let spanID: UInt64
    /// The trace flags; bit 0 is `sampled`.
    public let flags: UInt8

    /// A trace parent from its parts; nil when either id is zero (invalid in W3C).
    public init?(traceIDHigh: UInt64, traceIDLow: UInt64, spanID: UInt64, flags: UInt8) {
        guard traceIDHigh != 0 || traceIDLow != 0, spanID != 0 else { return nil }
        self.traceIDHigh = traceIDHigh
        self.traceIDLow = traceIDLow
        self.spanID = spanID
        self.flags = flags
    }

    /// Parses `text`; nil when it is not a valid `traceparent`.
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ TraceParent(bytes: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// Parses raw header bytes; nil when they are not a valid `traceparent`.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.length else { return nil }
        guard let versionHigh = Self.hexValue(bytes[0]), let versionLow = Self.hexValue(bytes[1]) else { return nil }
        let version = versionHigh << 4 | versionLow
        guard version != 0xFF else { return nil }
        // Version 00 is exactly 55 bytes; a later version may append "-…".
        if version == 0 {
            guard bytes.count == Self.length else { return nil }
        } else if bytes.count > Self.length, bytes[Self.length] != UInt8(ascii: "-") {
            return nil
        }
        let dash = UInt8(ascii: "-")
        guard bytes[2] == dash, bytes[35] == dash, bytes[52] == dash,
              let high = Self.hex64(bytes, from: 3), let low = Self.hex64(bytes, from: 19),
              let span = Self.hex64(bytes, from: 36),
              let flagsHigh = Self.hexValue(bytes[53]), let flagsLow = Self.hexValue(bytes[54]) else { return nil }
        self.init(traceIDHigh: high, traceIDLow: low, spanID: span, flags: flagsHigh << 4 | flagsLow)
    }

    /// Whether `name` is `traceparent`, in any ASCII case (as in HTTP), without allocating.
    public static func isHeaderName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isHeaderName(UnsafeRawBufferPointer($0)) }
    }

    /// Whether the bytes of a header name are `traceparent`, in any ASCII case.
    static func isHeaderName(_ name: UnsafeRawBufferPointer) -> Bool {
        guard name.count == nameBytes.count else { return false }
        // Every letter of the name is a-z: OR-ing 0x20 folds A-Z and changes nothing else that could match.
        for (byte, expected) in zip(name, nameBytes) where byte | 0x20 != expected { return false }
        return true
    }

    private static let nameBytes: [UInt8] = Array(headerName.utf8)

    /// Whether the caller sampled the trace (flag bit 0).
    public var isSampled: Bool { flags & 1 == 1 }

    /// The trace id as 32 lower-case hex digits.
    public var traceID: String { Self.hex(traceIDHigh) + Self.hex(traceIDLow) }

    /// The parent (span) id as 16 lower-case hex digits.
    public var parentID: String { Self.hex(spanID) }

    /// The version-00 text: 55 characters.
    public var description: String {
        "00-\(traceID)-\(parentID)-\(flags < 16 ? "0" : "")\(String(flags, radix: 16))"
    }

    /// The version-00 text as bytes (what a record header carries).
    public var bytes: [UInt8] { Array(description.utf8) }

    /// Lower-case hex only: the specification refuses upper case.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        default: nil
        }
    }

    private static func hex64(_ bytes: UnsafeRawBufferPointer, from start: Int) -> UInt64? {
        var value: UInt64 = 0
        for index in start..<start + 16 {
            guard let digit = hexValue(bytes[index]) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
