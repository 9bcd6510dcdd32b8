import SluicePluginKit

/// A type read straight from one JSON scalar, without `init(from:)`: the
/// primitives every `Decodable` ends in.
protocol TapeScalar {
    static func read(_ span: JSONSpan, in bytes: UnsafeRawBufferPointer) throws(TapeMismatch) -> Self
}

extension Bool: TapeScalar {
    static func read(_ span: JSONSpan, in bytes: UnsafeRawBufferPointer) throws(TapeMismatch) -> Bool {
        guard case .bool(let flag) = span.kind else { throw .wrongKind(span.kind) }
        return flag
    }
}

extension String: TapeScalar {
    static func read(_ span: JSONSpan, in bytes: UnsafeRawBufferPointer) throws(TapeMismatch) -> String {
        guard case .string(let escaped) = span.kind else { throw .wrongKind(span.kind) }
        // String(decoding:) repairs invalid UTF-8 as JSONSpan.withText does; validating first would read the text twice.
        if escaped { return String(decoding: JSONStrings.unescape(bytes, span.range), as: UTF8.self) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span.range]), as: UTF8.self)
    }
}

/// The number's text, borrowed.
private func numberText(_ span: JSONSpan, in bytes: UnsafeRawBufferPointer) throws(TapeMismatch) -> UnsafeRawBufferPointer {
    guard span.kind == .number else { throw .wrongKind(span.kind) }
    return UnsafeRawBufferPointer(rebasing: bytes[span.range])
}

/// Whether a number that read as `value` lies outside its type's range: it
/// overflowed to infinity or underflowed to zero from non-zero digits
/// (Foundation refuses both).
private func outOfRange<Value: BinaryFloatingPoint>(_ value: Value, _ text: UnsafeRawBufferPointer) -> Bool {
    if !value.isFinite { return true }
    guard value == 0 else { return false }
    let mantissa = text.prefix { $0 | 0x20 != UInt8(ascii: "e") }
    return mantissa.contains { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) }
}

extension Double: TapeScalar {
    /// The nearest double; a number beyond `Double`'s range fails, as in Foundation.
    static func read(_ span: JSONSpan, in bytes: UnsafeRawBufferPointer) throws(TapeMismatch) -> Double {
        let text = try numberText(span, in: bytes)
        guard let value = NumberText.double(text), !outOfRange(value, text) else {
            throw .notRepresentable(String(decoding: text, as: UTF8.self))
        }
        return value
    }
}

extension Float: TapeScalar {
    /// The nearest float, read from the text (not through `Double`, which could round twice).
    static func read(_ span: JSONSpan, in bytes: UnsafeRawBufferPointer) throws(TapeMismatch) -> Float {
        let source = try numberText(span, in: bytes)
        let text = String(decoding: source, as: UTF8.self)
        guard let value = Float(text), !outOfRange(value, source) else { throw .notRepresentable(text) }
        return value
    }
}

/// Integers as Foundation reads them: plain digits exactly (out of range
/// fails); a fraction or exponent (`1.0`, `1e3`) through `Double`, when that
/// is a whole number in range.
protocol TapeInteger: TapeScalar, FixedWidthInteger {}

extension TapeInteger {
    static func read(_ span: JSONSpan, in bytes: UnsafeRawBufferPointer) throws(TapeMismatch) -> Self {
        let text = try numberText(span, in: bytes)
        if let exact = exactly(text) { return exact }
        let fractionOrExponent = text.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
        if fractionOrExponent, let double = NumberText.double(text), let whole = Self(exactly: double) { return whole }
        throw .notRepresentable(String(decoding: text, as: UTF8.self))
    }

    /// `-?[0-9]+` in range; nil for anything else.
    private static func exactly(_ text: UnsafeRawBufferPointer) -> Self? {
        let negative = text.first == UInt8(ascii: "-")
        if negative, !Self.isSigned { // only zero ("-0") fits
            return text.count > 1 && text.dropFirst().allSatisfy { $0 == UInt8(ascii: "0") } ? 0 : nil
        }
        var index = negative ? 1 : 0
        guard index < text.count else { return nil }
        var value: Self = 0
        while index < text.count {
            let digit = text[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            // Accumulate toward the sign's side: the minimum has no positive twin.
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAgain) = negative
                ? scaled.subtractingReportingOverflow(Self(digit))
                : scaled.addingReportingOverflow(Self(digit))
            guard !overflow, !overflowAgain else { return nil }
            value = next
            index += 1
        }
        return value
    }
}

extension Int: TapeInteger {}
extension Int8: TapeInteger {}
extension Int16: TapeInteger {}
extension Int32: TapeInteger {}
extension Int64: TapeInteger {}
extension UInt: TapeInteger {}
extension UInt8: TapeInteger {}
extension UInt16: TapeInteger {}
extension UInt32: TapeInteger {}
extension UInt64: TapeInteger {}
