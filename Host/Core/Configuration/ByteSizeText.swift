/// Sizes in configuration: `512MiB`, `1GiB`, `64KiB`, or a bare number of bytes.
enum ByteSizeText {
    /// What a valid size looks like, for errors.
    static let shape = "512MiB, 1GiB, 65536KiB or a number of bytes"

    private static let units: [(suffix: String, factor: Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]

    /// The bytes `text` denotes, or nil.
    static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Int(number), value > 0 else { return nil }
            let (bytes, overflow) = value.multipliedReportingOverflow(by: unit.factor)
            return overflow ? nil : bytes
        }
        guard let value = Int(trimmed), value > 0 else { return nil }
        return value
    }

    /// `bytes` in the largest unit that divides it (reads back with ``parse(_:)``).
    static func format(_ bytes: Int) -> String {
        for unit in units where bytes % unit.factor == 0 && unit.factor > 1 {
            return "\(bytes / unit.factor)\(unit.suffix)"
        }
        return "\(bytes)"
    }
}

import Foundation

extension ValueRule where Value == Int {
    /// A positive size in bytes (``ByteSizeText``).
    static var byteSize: ValueRule {
        ValueRule(expected: "a size such as \(ByteSizeText.shape)") { ByteSizeText.parse($0) }
    }
}

extension ValueRule where Value == IsolationMode {
    /// `in_process` or `process`.
    static var isolationMode: ValueRule {
        ValueRule(expected: "in_process or process") { IsolationMode(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }
}
