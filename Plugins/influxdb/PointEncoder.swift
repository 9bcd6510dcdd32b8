import SluicePluginKit

/// Turns a record (a JSON object) into one line of line protocol, following
/// the write-mode settings: measurement, tag fields, value fields, time.
public struct PointEncoder: Sendable {
    /// The fixed measurement (used when `measurementField` is nil or absent in a record).
    public let measurement: String
    /// A record field naming the measurement, or nil.
    public let measurementField: String?
    /// Record fields written as tags.
    public let tags: [String]
    /// Record fields written as fields; empty: every other top-level scalar.
    public let fields: [String]
    /// Fields written as integers.
    public let integerFields: Set<String>
    /// The record field holding the time, or nil for the record's timestamp.
    public let timeField: String?
    /// Unit of integer times in records and of the written timestamps.
    public let precision: Precision

    /// An encoder with these settings (see ``InfluxConfiguration``).
    public init(measurement: String, measurementField: String? = nil, tags: [String] = [], fields: [String] = [],
                integerFields: Set<String> = [], timeField: String? = nil, precision: Precision = .nanoseconds) {
        self.measurement = measurement
        self.measurementField = measurementField
        self.tags = tags
        self.fields = fields
        self.integerFields = integerFields
        self.timeField = timeField
        self.precision = precision
    }

    /// The encoder a write-mode configuration describes.
    public init(configuration: InfluxConfiguration) {
        self.init(measurement: configuration.measurement, measurementField: configuration.measurementField,
                  tags: configuration.tags, fields: configuration.fields, integerFields: Set(configuration.integerFields),
                  timeField: configuration.timeField, precision: configuration.precision)
    }

    /// The line for `record`, whose own timestamp (milliseconds since the
    /// epoch) is used when there is no time field.
    /// - Throws: ``LineProtocol/Unrepresentable`` naming what is wrong with the record.
    public func line(for record: JSONValue, recordTimestampMilliseconds: Int64) throws(LineProtocol.Unrepresentable) -> String {
        guard case .object(let members) = record else { throw .init("the record is not a JSON object") }

        var name = measurement
        if let measurementField, let value = record.value(atPath: measurementField), value != .null {
            guard let text = value.scalarText, !text.isEmpty else {
                throw .init("'\(measurementField)' must be a non-empty string")
            }
            name = text
        }

        var tagPairs: [(key: String, value: String)] = []
        for tag in tags {
            guard let value = record.value(atPath: tag), value != .null else { continue }
            guard let text = value.scalarText else { throw .init("tag '\(tag)' must be a string, number or boolean") }
            tagPairs.append((tag, text))
        }

        var fieldPairs: [(key: String, value: LineProtocol.FieldValue)] = []
        if fields.isEmpty {
            let excluded = Set(tags + [timeField, measurementField].compactMap { $0 })
            for member in members where !excluded.contains(member.key) {
                switch member.value {
                case .null, .array, .object: continue // not expressible as a field value
                default: fieldPairs.append((member.key, try fieldValue(member.key, member.value)))
                }
            }
        } else {
            for field in fields {
                guard let value = record.value(atPath: field), value != .null else { continue }
                fieldPairs.append((field, try fieldValue(field, value)))
            }
        }
        guard !fieldPairs.isEmpty else { throw .init("the record has none of the configured fields") }

        return try LineProtocol.line(measurement: name, tags: tagPairs, fields: fieldPairs,
                                     timestamp: try timestamp(of: record, recordTimestampMilliseconds: recordTimestampMilliseconds))
    }

    private func fieldValue(_ key: String, _ value: JSONValue) throws(LineProtocol.Unrepresentable) -> LineProtocol.FieldValue {
        switch value {
        case .string(let text):
            if integerFields.contains(key) { throw .init("field '\(key)' must be an integer, found a string") }
            return .string(text)
        case .bool(let flag):
            if integerFields.contains(key) { throw .init("field '\(key)' must be an integer, found a boolean") }
            return .boolean(flag)
        case .number(let text):
            if integerFields.contains(key) {
                if let integer = Int64(text) { return .integer(integer) }
                if let double = Double(text), double.rounded() == double, let integer = Int64(exactly: double) { return .integer(integer) }
                throw .init("field '\(key)' must be a 64-bit integer, found \(text)")
            }
            guard let double = Double(text), double.isFinite else { throw .init("field '\(key)' is out of range: \(text)") }
            return .float(text)
        default:
            throw .init("field '\(key)' must be a string, number or boolean")
        }
    }

    private func timestamp(of record: JSONValue, recordTimestampMilliseconds: Int64) throws(LineProtocol.Unrepresentable) -> Int64 {
        guard let timeField else {
            guard let instant = Timestamp(value: recordTimestampMilliseconds, precision: .milliseconds) else {
                throw .init("the record timestamp is out of range")
            }
            return instant.value(in: precision)
        }
        switch record.value(atPath: timeField) {
        case .string(let text)?:
            guard let instant = Timestamp(rfc3339: text) else {
                throw .init("'\(timeField)' is not an RFC 3339 time with a zone: \(text)")
            }
            return instant.value(in: precision)
        case .number(let text)?:
            guard let value = Int64(text) else { throw .init("'\(timeField)' must be an integer in \(precision.rawValue), found \(text)") }
            return value
        case nil, .null?:
            throw .init("the record has no '\(timeField)'")
        default:
            throw .init("'\(timeField)' must be an RFC 3339 string or an integer")
        }
    }
}
