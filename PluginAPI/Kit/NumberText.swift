#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers read from and written to UTF-8 bytes directly, for the hot paths
/// that must not build a `String` per value (a `String` over 15 bytes allocates).
public enum NumberText {
    /// Appends `value` in decimal, with a `-` when negative.
    public static func appendDecimal(_ value: Int64, to output: inout [UInt8]) {
        writeDecimal(value, to: &output)
    }

    /// Appends `value` in decimal, with a `-` when negative, into a writer's own buffer.
    public static func appendDecimal(_ value: Int64, to output: inout JSONOutputBuffer) {
        writeDecimal(value, to: &output)
    }

    private static func writeDecimal<Sink: JSONByteSink & ~Copyable>(_ value: Int64, to output: inout Sink) {
        // Digits from the last, one division by a constant each (a multiply),
        // then one append: this writes every timestamp and integer field.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = value.magnitude
            var start = digits.count
            repeat {
                let (quotient, digit) = magnitude.quotientAndRemainder(dividingBy: 10)
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: digit)
                magnitude = quotient
            } while magnitude != 0
            if value < 0 { output.appendByte(UInt8(ascii: "-")) }
            output.appendBytes(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[start...])))
        }
    }

    /// Whether a JSON number's text (grammar already checked) reads as a
    /// finite `Double`. Without an exponent, 308 characters cannot reach
    /// `Double.greatestFiniteMagnitude` (≈ 1.8e308), so only longer texts and
    /// exponents are read with `double(_:)`.
    public static func isFinite(_ text: UnsafeRawBufferPointer) -> Bool {
        if text.count <= 308, !text.contains(where: { $0 | 0x20 == UInt8(ascii: "e") }) { return true }
        return double(text)?.isFinite ?? false
    }

    /// The integer `text` spells as `-?[0-9]+` (what `Int64(String)` accepts
    /// of a JSON number); nil for anything else or out of range.
    public static func int64(_ text: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        let negative = text.first == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < text.count else { return nil }
        var value: Int64 = 0
        while index < text.count {
            let digit = text[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            // Accumulate toward the negative side: Int64.min has no positive twin.
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAgain) = scaled.subtractingReportingOverflow(Int64(digit))
            guard !overflow, !overflowAgain else { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// The double nearest to a JSON number's text (infinite when beyond
    /// `Double`'s range), as `Double(String)` reads it; nil when `text` is
    /// not a JSON number.
    public static func double(_ text: UnsafeRawBufferPointer) -> Double? {
        guard JSONNumberGrammar.isNumber(text) else { return nil }
        // strtod needs a terminated C string: copy onto the stack, not the heap.
        let parsed: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer in
            _ = buffer.initialize(from: text.lazy.map { CChar(bitPattern: $0) })
            buffer[text.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            // A locale whose decimal point is not '.' stops strtod early: then ask Swift.
            return end == buffer.baseAddress! + text.count ? value : nil
        }
        return parsed ?? Double(String(decoding: text, as: UTF8.self))
    }
}
