import Foundation

/// A strict reader of the Prometheus text exposition format (0.0.4), enough to
/// check that `/metrics` parses and to read sample values.
struct PrometheusText {
    /// One sample line.
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// Every sample, in order.
    private(set) var samples: [Sample] = []
    /// The declared type per metric family.
    private(set) var types: [String: String] = [:]

    /// Parses `text`; throws naming the first line that does not follow the format.
    init(_ text: String) throws {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let place = "line \(index + 1) \"\(line)\""
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
                guard parts.count >= 3, parts[0] == "#" else { throw ExchangeError("\(place): bad comment") }
                guard Self.isMetricName(parts[2]) else { throw ExchangeError("\(place): bad metric name") }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[3])) else {
                        throw ExchangeError("\(place): bad TYPE")
                    }
                    guard types[String(parts[2])] == nil else { throw ExchangeError("\(place): TYPE declared twice") }
                    types[String(parts[2])] = String(parts[3])
                }
                continue
            }
            let sample = try Self.sample(line, place: place)
            guard family(of: sample.name) != nil else { throw ExchangeError("\(place): sample before its TYPE") }
            samples.append(sample)
        }
    }

    /// The value of the sample `name` whose labels include `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }

    /// The family a sample name belongs to (histograms add _bucket, _sum, _count).
    func family(of name: String) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let type = types[base], type == "histogram" || type == "summary" { return base }
        }
        return nil
    }

    private static func isMetricName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func sample(_ line: Substring, place: String) throws -> Sample {
        var rest = line[...]
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = rest[..<nameEnd]
        guard isMetricName(name) else { throw ExchangeError("\(place): bad metric name") }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { throw ExchangeError("\(place): bad label") }
                let label = rest[..<equals]
                guard isMetricName(label), !label.contains(":") else { throw ExchangeError("\(place): bad label name") }
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { throw ExchangeError("\(place): label value not quoted") }
                rest = rest.dropFirst()
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\" {
                        guard let escaped = rest.first else { throw ExchangeError("\(place): bad escape") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "n": value.append("\n")
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        default: throw ExchangeError("\(place): bad escape \\\(escaped)")
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"" else { throw ExchangeError("\(place): unterminated label value") }
                rest = rest.dropFirst()
                labels[String(label)] = value
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ")
        guard rest.first == " ", fields.count == 1 || fields.count == 2 else { throw ExchangeError("\(place): expected ' value [timestamp]'") }
        let text = String(fields[0])
        let value: Double
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(text) else { throw ExchangeError("\(place): bad value \(text)") }
            value = parsed
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw ExchangeError("\(place): bad timestamp") }
        return Sample(name: String(name), labels: labels, value: value)
    }
}
