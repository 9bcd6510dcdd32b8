import SluicePluginKit

/// Turns a record (a JSON object) into one line of line protocol, following
/// the write-mode settings: measurement, tag fields, value fields, time.
///
/// It reads the record where it lies (spans into its text, no tree) and
/// appends the line straight into the request body: everything that depends
/// only on the configuration — escaped keys, the tag order, the paths to look
/// up — is prepared once here, so a record costs no allocation unless it holds
/// JSON escapes or invalid UTF-8. With a field list, ``locate(_:into:)``
/// checks the record and finds every configured member in one pass
/// (``JSONFieldLookup``), instead of one scan of the record per member.
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

    /// A configured tag or field: where it is in a record and its key as written.
    private struct Member: Sendable {
        let path: RecordPath
        /// Its place in the values a record's members resolve to (see `slotPaths`).
        let slot: Int
        /// The escaped key, or why it cannot be written (refused when a record has the member).
        let key: Result<[UInt8], LineProtocol.Unrepresentable>
        let isInteger: Bool

        init(_ name: String, slot: Int, kind: LineProtocol.KeyKind, isInteger: Bool = false) {
            path = RecordPath(name)
            self.slot = slot
            key = Result { () throws(LineProtocol.Unrepresentable) in try LineProtocol.escapedKey(name, of: kind) }
            self.isInteger = isInteger
        }
    }

    /// Where a record's configured members are, filled by ``PointEncoder/locate(_:into:)``.
    /// Reuse one for a whole batch: its storage is kept.
    public struct LocatedRecord: Sendable {
        /// What the one-pass lookup found, per lookup path.
        fileprivate var found: [JSONSpan?] = []
        /// The value of each configured path (`slotPaths`), null included; nil when absent.
        fileprivate var values: [JSONSpan?] = []
        /// The whole record, when it was validated rather than looked up.
        fileprivate var record: JSONSpan?
        fileprivate var isObject = false

        /// An empty one.
        public init() {}
    }

    /// How a checked field value is written.
    private enum FieldText {
        /// A float: its JSON text, as written.
        case float(Range<Int>)
        case integer(Int64)
        case string(JSONSpan)
        case boolean(Bool)
    }

    /// The escaped fixed measurement, or why it cannot be written.
    private let fixedMeasurement: Result<[UInt8], LineProtocol.Unrepresentable>
    private let measurementPath: RecordPath?
    /// In configuration order (the order values are checked in).
    private let tagMembers: [Member]
    /// Indices into `tagMembers` sorted by key, the order tags are written in.
    private let tagWriteOrder: [Int]
    private let fieldMembers: [Member]
    /// Without a field list: the top-level keys that are not fields.
    private let excludedKeys: [[UInt8]]
    /// Without a field list: the keys written as integers.
    private let integerKeys: [[UInt8]]
    private let timePath: RecordPath?
    /// Every configured path, in slot order: measurement field, tags, fields, time field.
    private let slotPaths: [RecordPath]
    private let measurementSlot: Int
    private let timeSlot: Int
    /// The one-pass lookup of every slot's path (a dotted path twice: as one
    /// key, then through objects); nil without a field list, where every
    /// member of the record is read anyway.
    private let lookup: JSONFieldLookup?
    /// Per slot, its paths' indices in `lookup`: the whole name, and the dotted parts.
    private let lookupIndices: [(whole: Int, parts: Int?)]

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

        fixedMeasurement = Result { () throws(LineProtocol.Unrepresentable) in
            guard !measurement.isEmpty else { throw .init("the measurement name is empty") }
            return Array(try LineProtocol.escapeMeasurement(measurement).utf8)
        }
        measurementPath = measurementField.map(RecordPath.init)
        tagMembers = tags.enumerated().map { Member($1, slot: 1 + $0, kind: .tag) }
        tagWriteOrder = tags.indices.sorted { tags[$0].utf8.lexicographicallyPrecedes(tags[$1].utf8) }
        fieldMembers = fields.enumerated().map {
            Member($1, slot: 1 + tags.count + $0, kind: .field, isInteger: integerFields.contains($1))
        }
        excludedKeys = (tags + [timeField, measurementField].compactMap { $0 }).map { Array($0.utf8) }
        integerKeys = integerFields.map { Array($0.utf8) }
        timePath = timeField.map(RecordPath.init)
        // Slot 0 and the last slot are the measurement and time fields (an
        // empty path that is never looked up when they are not configured).
        measurementSlot = 0
        timeSlot = 1 + tags.count + fields.count
        slotPaths = [measurementPath ?? RecordPath("")] + tagMembers.map(\.path) + fieldMembers.map(\.path)
            + [timePath ?? RecordPath("")]

        var paths: [[[UInt8]]] = []
        var indices: [(whole: Int, parts: Int?)] = []
        for (slot, path) in slotPaths.enumerated() {
            let configured = (slot != measurementSlot || measurementPath != nil) && (slot != timeSlot || timePath != nil)
            guard configured else { indices.append((-1, nil)); continue }
            paths.append([path.key])
            let whole = paths.count - 1
            var parts: Int?
            if !path.parts.isEmpty {
                paths.append(path.parts)
                parts = paths.count - 1
            }
            indices.append((whole, parts))
        }
        lookupIndices = indices
        lookup = fields.isEmpty || paths.count > JSONFieldLookup.maximumPaths ? nil : JSONFieldLookup(paths: paths)
    }

    /// The encoder a write-mode configuration describes.
    public init(configuration: InfluxConfiguration) {
        self.init(measurement: configuration.measurement, measurementField: configuration.measurementField,
                  tags: configuration.tags, fields: configuration.fields, integerFields: Set(configuration.integerFields),
                  timeField: configuration.timeField, precision: configuration.precision)
    }

    /// Appends the line for `record` (without a newline) to `output`; the
    /// record's own timestamp (milliseconds since the epoch) is used when
    /// there is no time field.
    /// - Parameters:
    ///   - record: the top-level value of `bytes`, as ``JSONParser/validate(_:)`` found it.
    ///   - bytes: the record's JSON text.
    /// - Throws: ``LineProtocol/Unrepresentable`` naming what is wrong with the
    ///   record; `output` is then left as it was.
    public func appendLine(for record: JSONSpan, in bytes: UnsafeRawBufferPointer, recordTimestampMilliseconds: Int64,
                           to output: inout [UInt8]) throws(LineProtocol.Unrepresentable) {
        guard record.kind == .object else { throw .init("the record is not a JSON object") }
        try withUnsafeTemporaryAllocation(of: JSONSpan?.self, capacity: slotPaths.count) { values throws(LineProtocol.Unrepresentable) in
            for (slot, path) in slotPaths.enumerated() {
                values.initializeElement(at: slot, to: lookupIndices[slot].whole < 0 ? nil : path.value(in: record, of: bytes))
            }
            try appendLine(record: record, values: UnsafeBufferPointer(values), in: bytes,
                           recordTimestampMilliseconds: recordTimestampMilliseconds, to: &output)
        }
    }

    /// Checks `bytes` as one JSON value and finds the members of the record
    /// the line needs: with a field list in one pass that also checks the
    /// JSON (``JSONFieldLookup``); without one, the JSON is checked
    /// (``JSONParser/validate(_:)``) and every member read when the line is written.
    /// - Throws: `JSONSyntaxError` when `bytes` is not JSON.
    public func locate(_ bytes: UnsafeRawBufferPointer, into located: inout LocatedRecord) throws(JSONSyntaxError) {
        if located.values.count != slotPaths.count { located.values = Array(repeating: nil, count: slotPaths.count) }
        guard let lookup else {
            let record = try JSONParser.validate(bytes)
            located.record = record
            located.isObject = record.kind == .object
            guard located.isObject else { return }
            for (slot, path) in slotPaths.enumerated() {
                located.values[slot] = lookupIndices[slot].whole < 0 ? nil : path.value(in: record, of: bytes)
            }
            return
        }
        try lookup.find(in: bytes, into: &located.found)
        located.record = nil
        located.isObject = bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D } == UInt8(ascii: "{")
        for slot in 0..<slotPaths.count {
            let (whole, parts) = lookupIndices[slot]
            // The whole name as a top-level key wins over the dotted path (as `RecordPath.value`).
            located.values[slot] = whole < 0 ? nil : located.found[whole] ?? parts.flatMap { located.found[$0] }
        }
    }

    /// Appends the line for a record ``locate(_:into:)`` found in `bytes`
    /// (without a newline); see ``appendLine(for:in:recordTimestampMilliseconds:to:)``.
    public func appendLine(for located: LocatedRecord, in bytes: UnsafeRawBufferPointer, recordTimestampMilliseconds: Int64,
                           to output: inout [UInt8]) throws(LineProtocol.Unrepresentable) {
        guard located.isObject else { throw .init("the record is not a JSON object") }
        try located.values.withUnsafeBufferPointer { values throws(LineProtocol.Unrepresentable) in
            try appendLine(record: located.record, values: values, in: bytes,
                           recordTimestampMilliseconds: recordTimestampMilliseconds, to: &output)
        }
    }

    /// The line for a record given as JSON text (what ``locate(_:into:)`` and
    /// ``appendLine(for:in:recordTimestampMilliseconds:to:)-(LocatedRecord,_,_,_)`` write).
    /// - Throws: `JSONSyntaxError` when `json` is not JSON, ``LineProtocol/Unrepresentable`` as `appendLine`.
    public func line(forJSON json: String, recordTimestampMilliseconds: Int64) throws -> String {
        let bytes = Array(json.utf8)
        var output: [UInt8] = []
        var located = LocatedRecord()
        try bytes.withUnsafeBytes { bytes in
            try locate(bytes, into: &located)
            try appendLine(for: located, in: bytes, recordTimestampMilliseconds: recordTimestampMilliseconds, to: &output)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `values`: per slot, the member's value (nil when absent); `record`:
    /// the whole record, needed without a field list. `output` is left as it
    /// was when the record is refused.
    private func appendLine(record: JSONSpan?, values: UnsafeBufferPointer<JSONSpan?>, in bytes: UnsafeRawBufferPointer,
                            recordTimestampMilliseconds: Int64, to output: inout [UInt8]) throws(LineProtocol.Unrepresentable) {
        let mark = output.count
        do throws(LineProtocol.Unrepresentable) {
            // Room for the values found, on the stack: checked first, written after.
            try withUnsafeTemporaryAllocation(of: JSONSpan?.self, capacity: tagMembers.count) { tagValues throws(LineProtocol.Unrepresentable) in
                try withUnsafeTemporaryAllocation(of: FieldText?.self, capacity: fieldMembers.count) { fieldValues throws(LineProtocol.Unrepresentable) in
                    tagValues.initialize(repeating: nil)
                    fieldValues.initialize(repeating: nil)
                    try encode(record, values: values, in: bytes, recordTimestampMilliseconds: recordTimestampMilliseconds,
                               tagValues: tagValues, fieldValues: fieldValues, to: &output)
                }
            }
        } catch {
            output.removeSubrange(mark...)
            throw error
        }
    }

    /// The value in `slot`, unless absent or `null` (both mean "not set" to the encoder).
    private static func present(_ values: UnsafeBufferPointer<JSONSpan?>, _ slot: Int) -> JSONSpan? {
        guard let value = values[slot], !value.isNull else { return nil }
        return value
    }

    /// Checks every value first, so a record with several faults is refused
    /// for the same one as always (value types, then time, then names), then writes.
    private func encode(_ record: JSONSpan?, values: UnsafeBufferPointer<JSONSpan?>, in bytes: UnsafeRawBufferPointer,
                        recordTimestampMilliseconds: Int64,
                        tagValues: UnsafeMutableBufferPointer<JSONSpan?>, fieldValues: UnsafeMutableBufferPointer<FieldText?>,
                        to output: inout [UInt8]) throws(LineProtocol.Unrepresentable) {
        var recordMeasurement: JSONSpan?
        if let measurementPath, let value = Self.present(values, measurementSlot) {
            // Only a string can be empty (the range is the text between its quotes).
            guard Self.isScalar(value), !value.range.isEmpty else {
                throw .init("'\(measurementPath.name)' must be a non-empty string")
            }
            recordMeasurement = value
        }
        for (index, tag) in tagMembers.enumerated() {
            guard let value = Self.present(values, tag.slot) else { continue }
            guard Self.isScalar(value) else { throw .init("tag '\(tag.path.name)' must be a string, number or boolean") }
            tagValues[index] = value
        }
        var fieldCount = 0
        if fieldMembers.isEmpty, let record {
            var failure: LineProtocol.Unrepresentable?
            JSONParser.forEachMember(of: record, in: bytes) { key, value in
                guard failure == nil, isAutomaticField(key, value, in: bytes) else { return }
                do throws(LineProtocol.Unrepresentable) {
                    _ = try fieldText(value, in: bytes, isInteger: isIntegerKey(key, in: bytes), key: key.text(in: bytes))
                    fieldCount += 1
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        } else {
            for (index, field) in fieldMembers.enumerated() {
                guard let value = Self.present(values, field.slot) else { continue }
                fieldValues[index] = try fieldText(value, in: bytes, isInteger: field.isInteger, key: field.path.name)
                fieldCount += 1
            }
        }
        guard fieldCount > 0 else { throw .init("the record has none of the configured fields") }
        let time = try timestamp(Self.present(values, timeSlot), recordTimestampMilliseconds: recordTimestampMilliseconds, in: bytes)

        if let recordMeasurement {
            try recordMeasurement.withText(in: bytes) { name throws(LineProtocol.Unrepresentable) in
                try LineProtocol.appendMeasurement(name, to: &output)
            }
        } else {
            output.append(contentsOf: try fixedMeasurement.get())
        }
        for index in tagWriteOrder {
            // An empty tag is an absent one to InfluxDB: left out.
            guard let value = tagValues[index], !value.range.isEmpty else { continue }
            let tag = tagMembers[index]
            output.append(UInt8(ascii: ","))
            output.append(contentsOf: try tag.key.get())
            output.append(UInt8(ascii: "="))
            try value.withText(in: bytes) { text throws(LineProtocol.Unrepresentable) in
                try LineProtocol.appendTagValue(text, ofTag: tag.path.name, to: &output)
            }
        }
        var separator = UInt8(ascii: " ")
        if fieldMembers.isEmpty, let record {
            var failure: LineProtocol.Unrepresentable?
            JSONParser.forEachMember(of: record, in: bytes) { key, value in
                guard failure == nil, isAutomaticField(key, value, in: bytes) else { return }
                do throws(LineProtocol.Unrepresentable) {
                    output.append(separator)
                    separator = UInt8(ascii: ",")
                    try key.withText(in: bytes) { name throws(LineProtocol.Unrepresentable) in
                        try LineProtocol.appendKey(name, of: .field, to: &output)
                    }
                    output.append(UInt8(ascii: "="))
                    // Checked above: it cannot fail now.
                    write(try fieldText(value, in: bytes, isInteger: isIntegerKey(key, in: bytes), key: ""), in: bytes, to: &output)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        } else {
            for (index, field) in fieldMembers.enumerated() {
                guard let value = fieldValues[index] else { continue }
                output.append(separator)
                separator = UInt8(ascii: ",")
                output.append(contentsOf: try field.key.get())
                output.append(UInt8(ascii: "="))
                write(value, in: bytes, to: &output)
            }
        }
        LineProtocol.appendTimestamp(time, to: &output)
    }

    private static func isScalar(_ value: JSONSpan) -> Bool {
        switch value.kind {
        case .string, .number, .bool: true
        case .null, .array, .object: false
        }
    }

    /// Without a field list: whether a top-level member is written as a field
    /// (a scalar that is not the tag, time or measurement).
    private func isAutomaticField(_ key: JSONSpan, _ value: JSONSpan, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard Self.isScalar(value) else { return false } // null, arrays and objects are not field values
        return !excludedKeys.contains { key.isString($0, in: bytes) }
    }

    private func isIntegerKey(_ key: JSONSpan, in bytes: UnsafeRawBufferPointer) -> Bool {
        integerKeys.contains { key.isString($0, in: bytes) }
    }

    /// Checks a field value; `key` names it in a refusal and is only evaluated then.
    private func fieldText(_ value: JSONSpan, in bytes: UnsafeRawBufferPointer, isInteger: Bool,
                           key: @autoclosure () -> String) throws(LineProtocol.Unrepresentable) -> FieldText {
        switch value.kind {
        case .string:
            if isInteger { throw .init("field '\(key())' must be an integer, found a string") }
            return .string(value)
        case .bool(let flag):
            if isInteger { throw .init("field '\(key())' must be an integer, found a boolean") }
            return .boolean(flag)
        case .number:
            let text = UnsafeRawBufferPointer(rebasing: bytes[value.range])
            if isInteger {
                if let integer = NumberText.int64(text) { return .integer(integer) }
                if let double = NumberText.double(text), double.rounded() == double, let integer = Int64(exactly: double) {
                    return .integer(integer)
                }
                throw .init("field '\(key())' must be a 64-bit integer, found \(value.text(in: bytes))")
            }
            guard let double = NumberText.double(text), double.isFinite else {
                throw .init("field '\(key())' is out of range: \(value.text(in: bytes))")
            }
            return .float(value.range)
        case .null, .array, .object:
            throw .init("field '\(key())' must be a string, number or boolean")
        }
    }

    private func write(_ value: FieldText, in bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        switch value {
        case .float(let range): output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
        case .integer(let number): LineProtocol.appendInteger(number, to: &output)
        case .string(let text): text.withText(in: bytes) { LineProtocol.appendQuoted($0, to: &output) }
        case .boolean(let flag): LineProtocol.appendBoolean(flag, to: &output)
        }
    }

    /// `value`: the time field's value, nil when absent or null.
    private func timestamp(_ value: JSONSpan?, recordTimestampMilliseconds: Int64,
                           in bytes: UnsafeRawBufferPointer) throws(LineProtocol.Unrepresentable) -> Int64 {
        guard let timePath else {
            guard let instant = Timestamp(value: recordTimestampMilliseconds, precision: .milliseconds) else {
                throw .init("the record timestamp is out of range")
            }
            return instant.value(in: precision)
        }
        guard let value else { throw .init("the record has no '\(timePath.name)'") }
        switch value.kind {
        case .string:
            guard let instant = value.withText(in: bytes, { Timestamp(rfc3339: $0) }) else {
                throw .init("'\(timePath.name)' is not an RFC 3339 time with a zone: \(value.text(in: bytes))")
            }
            return instant.value(in: precision)
        case .number:
            guard let integer = NumberText.int64(UnsafeRawBufferPointer(rebasing: bytes[value.range])) else {
                throw .init("'\(timePath.name)' must be an integer in \(precision.rawValue), found \(value.text(in: bytes))")
            }
            return integer
        default:
            throw .init("'\(timePath.name)' must be an RFC 3339 string or an integer")
        }
    }
}
