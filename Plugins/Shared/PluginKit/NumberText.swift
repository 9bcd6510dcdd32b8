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
        if value < 0 { output.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
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
