import Foundation
import Logging

/// How one scalar setting is read from text, with the words an error uses for
/// it. The same rules serve YAML scalars and environment variables, so both
/// accept the same spellings and report the same expectations.
struct ValueRule<Value> {
    /// What a valid value looks like, e.g. "an integer from 1 to 1024".
    let expected: String
    /// The value `text` denotes, or nil when it is not valid.
    let parse: (String) -> Value?
}

extension ValueRule where Value == Int {
    /// A decimal integer in `range` (an optional `+` and `_` separators allowed).
    static func integer(_ range: ClosedRange<Int>) -> ValueRule {
        let expected: String
        switch (range.lowerBound, range.upperBound) {
        case (1, .max): expected = "a positive integer"
        case (let low, .max): expected = "an integer of at least \(low)"
        case (let low, let high): expected = "an integer from \(low) to \(high)"
        }
        return ValueRule(expected: expected) { text in
            let digits = text.trimmingCharacters(in: .whitespaces)
            guard let first = digits.first, first.isASCIIDigit || first == "+",
                  let value = Int(digits.replacingOccurrences(of: "_", with: "")),
                  range.contains(value) else { return nil }
            return value
        }
    }
}

extension ValueRule where Value == Double {
    /// A finite decimal number in `range`.
    static func number(_ range: ClosedRange<Double>) -> ValueRule {
        ValueRule(expected: "a number from \(plain(range.lowerBound)) to \(plain(range.upperBound))") { text in
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite,
                  range.contains(value) else { return nil }
            return value
        }
    }

    /// `1` rather than `1.0` for whole bounds, as people write them.
    private static func plain(_ bound: Double) -> String {
        bound == bound.rounded() && abs(bound) < 1e15 ? String(Int(bound)) : "\(bound)"
    }
}

extension ValueRule where Value == Duration {
    /// A duration (`250ms`, `1s`, `2m`, `1h`, bare number = seconds); zero
    /// allowed only when `allowZero`.
    static func duration(allowZero: Bool) -> ValueRule {
        let adjective = allowZero ? "a duration" : "a positive duration"
        return ValueRule(expected: "\(adjective) such as \(DurationText.shape)") { text in
            guard let value = DurationText.parse(text), allowZero || value > .zero else { return nil }
            return value
        }
    }
}

extension ValueRule where Value == Bool {
    /// `true`/`false` (also `yes`/`no`, `on`/`off`, any case, as YAML 1.1 reads them).
    static var boolean: ValueRule {
        ValueRule(expected: "true or false") { text in
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: return nil
            }
        }
    }
}

extension ValueRule where Value == String {
    /// Any non-empty text, kept as written.
    static func nonEmpty(_ what: String = "a non-empty string") -> ValueRule {
        ValueRule(expected: what) { $0.isEmpty ? nil : $0 }
    }

    /// A filesystem path; a leading `~` means `home`.
    static func path(home: String) -> ValueRule {
        ValueRule(expected: "a non-empty path") { text in
            if text.isEmpty { return nil }
            if text == "~" { return home }
            if text.hasPrefix("~/") { return home + text.dropFirst() }
            return text
        }
    }

    /// A plugin's (and an agent's) name: 1–64 characters of `a-z 0-9 _ -`.
    static var pluginName: ValueRule {
        ValueRule(expected: "a plugin name (1 to 64 characters of a-z 0-9 _ -)") { text in
            (1...64).contains(text.utf8.count)
                && text.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5f || $0 == 0x2d }
                ? text : nil
        }
    }

    /// A Kafka topic name: 1–249 characters of `a-z A-Z 0-9 . _ -`, not `.` or `..`.
    static var topicName: ValueRule {
        ValueRule(expected: "a topic name (1 to 249 characters of a-z A-Z 0-9 . _ -)") { text in
            TopicName.isValid(text) ? text : nil
        }
    }
}

extension ValueRule where Value == Logger.Level {
    /// One of swift-log's level names, any case.
    static var logLevel: ValueRule {
        let names = Logger.Level.allCases.map(\.rawValue)
        return ValueRule(expected: "one of \(names.joined(separator: ", "))") { text in
            Logger.Level(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased())
        }
    }
}

extension ValueRule where Value == FailurePolicy {
    /// `dead_letter` or `pause`.
    static var failurePolicy: ValueRule {
        let names = FailurePolicy.allCases.map(\.rawValue)
        return ValueRule(expected: "one of \(names.joined(separator: ", "))") { text in
            FailurePolicy(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased())
        }
    }
}
