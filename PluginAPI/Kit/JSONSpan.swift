#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one JSON value lies in its (validated) bytes, and what kind it is:
/// the copy-free, allocation-free view ``JSONParser/validate(_:)`` and
/// ``JSONParser/lastMember(named:of:in:)`` answer with. Unlike ``JSONNode`` it
/// holds no children, so finding a value builds nothing on the heap.
public struct JSONSpan: Sendable, Equatable {
    /// The kind of value.
    public enum Kind: Sendable, Equatable {
        /// A string; `escaped` when its text holds backslash escapes.
        case string(escaped: Bool)
        /// A number (already checked against JSON's grammar).
        case number
        /// `true` or `false`.
        case bool(Bool)
        /// `null`.
        case null
        /// An array.
        case array
        /// An object.
        case object
    }

    /// The kind of value.
    public let kind: Kind
    /// A string's bytes between the quotes; a number's or literal's text; an
    /// array's or object's source text, brackets included.
    public let range: Range<Int>

    /// A value of `kind` at `range`.
    public init(kind: Kind, range: Range<Int>) {
        self.kind = kind
        self.range = range
    }

    /// Whether this is `null`.
    public var isNull: Bool { kind == .null }

    /// Whether this is a string whose decoded text is exactly `text` (UTF-8).
    /// Allocates only for a string holding escapes.
    public func isString(_ text: [UInt8], in bytes: UnsafeRawBufferPointer) -> Bool {
        text.withUnsafeBytes { isString($0, in: bytes) }
    }

    /// Whether this is a string whose decoded text is exactly `text` (UTF-8).
    /// Allocates only for a string holding escapes.
    public func isString(_ text: UnsafeRawBufferPointer, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard case .string(let escaped) = kind else { return false }
        if escaped { return JSONStrings.unescape(bytes, range).elementsEqual(text) }
        guard range.count == text.count else { return false }
        guard !text.isEmpty else { return true }
        return memcmp(text.baseAddress!, bytes.baseAddress! + range.lowerBound, text.count) == 0
    }

    /// Calls `body` with the decoded text of a string (or the text of a
    /// number or literal) as valid UTF-8: invalid sequences become U+FFFD, as
    /// in ``JSONValue``. Borrows the source bytes when they need no change;
    /// allocates only for escapes or invalid UTF-8.
    @inlinable // specialised for the caller's closure: it runs per value written
    public func withText<Result, Failure: Error>(
        in bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let source = UnsafeRawBufferPointer(rebasing: bytes[range])
        if case .string(escaped: true) = kind {
            return try Self.withValidUTF8(JSONStrings.unescape(bytes, range), body)
        }
        if UTF8Validation.isValid(source) { return try body(source) }
        return try Self.withValidUTF8(Array(source), body)
    }

    /// The decoded text as a `String` (it allocates: for messages, not hot paths).
    public func text(in bytes: UnsafeRawBufferPointer) -> String {
        withText(in: bytes) { String(decoding: $0, as: UTF8.self) }
    }

    @usableFromInline
    static func withValidUTF8<Result, Failure: Error>(
        _ text: [UInt8], _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let valid = UTF8Validation.isValid(text) ? text : Array(String(decoding: text, as: UTF8.self).utf8)
        // withUnsafeBytes rethrows untyped errors: carry the outcome out as a value.
        let outcome: Swift.Result<Result, Failure> = valid.withUnsafeBytes { buffer in
            Swift.Result { () throws(Failure) in try body(buffer) }
        }
        return try outcome.get()
    }
}
