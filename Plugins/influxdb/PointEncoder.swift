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
    /// In configuration order (the order values are checked in).
    private let tagMembers: [Member]
    /// Indices into `tagMembers` sorted by key, the order tags are written in.
    private let tagWriteOrder: [Int]
    private let fieldMembers: [Member]
    /// Without a field list: the top-level keys that are not fields.
    private let excludedKeys: [[UInt8]]
    /// Without a field list: the keys written as integers.
    private let integerKeys: [[UInt8]]
    /// Every configured path, in slot order: measurement field, tags, fields, time field.
    private let slotPaths: [RecordPath]
    private let measurementSlot: Int
    private let timeSlot: Int
    /// The one-pass lookup of every slot's path (a dotted path twice: as one
    /// key, then through objects), when `usesLookup`: not without a field
    /// list, where every member of the record is read anyway.
    private let lookup: JSONFieldLookup
    private let usesLookup: Bool
    private let hasMeasurementField: Bool
    private let hasTimeField: Bool
    /// Per slot, its paths' indices in `lookup`: the whole name, and the dotted parts.
    private let lookupIndices: [(whole: Int, parts: Int?)]

    // What a record's line reads of the configuration, as plain values: one
    // encoder serves every worker thread, and copying the members (their
    // arrays and strings) per record would retain and release shared
    // storage, contended across cores.
    private let tagSlots: [Int]
    /// Tag and field names, for refusals.
    private let tagNames: [String]
    private let fieldNames: [String]
    private let fieldSlots: [Int]
    private let fieldIsInteger: [Bool]
    /// The escaped fixed measurement, tag keys and field keys, concatenated.
    private let nameBytes: [UInt8]
    /// Where each is in `nameBytes`; nil when it cannot be written (the
    /// member's `key`, or `fixedMeasurement`, says why).
    private let fixedMeasurementRange: Range<Int>?
    private let tagKeyRanges: [Range<Int>?]
    private let fieldKeyRanges: [Range<Int>?]

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
        let measurementPath = measurementField.map(RecordPath.init)
        tagMembers = tags.enumerated().map { Member($1, slot: 1 + $0, kind: .tag) }
        tagWriteOrder = tags.indices.sorted { tags[$0].utf8.lexicographicallyPrecedes(tags[$1].utf8) }
        fieldMembers = fields.enumerated().map {
            Member($1, slot: 1 + tags.count + $0, kind: .field, isInteger: integerFields.contains($1))
        }
        excludedKeys = (tags + [timeField, measurementField].compactMap { $0 }).map { Array($0.utf8) }
        integerKeys = integerFields.map { Array($0.utf8) }
        let timePath = timeField.map(RecordPath.init)
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
        usesLookup = !fields.isEmpty && paths.count <= JSONFieldLookup.maximumPaths
        lookup = JSONFieldLookup(paths: usesLookup ? paths : [])
        hasMeasurementField = measurementField != nil
        hasTimeField = timeField != nil

        tagSlots = tagMembers.map(\.slot)
        tagNames = tags
        fieldNames = fields
        fieldSlots = fieldMembers.map(\.slot)
        fieldIsInteger = fieldMembers.map(\.isInteger)
        var nameBytes: [UInt8] = []
        func place(_ name: Result<[UInt8], LineProtocol.Unrepresentable>) -> Range<Int>? {
            guard case .success(let bytes) = name else { return nil }
            nameBytes += bytes
            return nameBytes.count - bytes.count..<nameBytes.count
        }
        fixedMeasurementRange = place(fixedMeasurement)
        tagKeyRanges = tagMembers.map { place($0.key) }
        fieldKeyRanges = fieldMembers.map { place($0.key) }
        self.nameBytes = nameBytes
    }

    /// Appends an escaped name prepared in `nameBytes`.
    private func appendName(_ range: Range<Int>, to output: inout [UInt8]) {
        nameBytes.withUnsafeBytes { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[range])) }
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
        guard usesLookup else {
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
        if hasMeasurementField, let value = Self.present(values, measurementSlot) {
            // Only a string can be empty (the range is the text between its quotes).
            guard Self.isScalar(value), !value.range.isEmpty else {
                throw .init("'\(measurementField ?? "")' must be a non-empty string")
            }
            recordMeasurement = value
        }
        for index in 0..<tagSlots.count {
            guard let value = Self.present(values, tagSlots[index]) else { continue }
            guard Self.isScalar(value) else { throw .init("tag '\(tagNames[index])' must be a string, number or boolean") }
            tagValues[index] = value
        }
        var fieldCount = 0
        if fieldMembers.isEmpty, let record {
            var failure: LineProtocol.Unrepresentable?
            JSONParser.forEachMember(of: record, in: bytes) { key, value in
                guard failure == nil, isAutomaticField(key, value, in: bytes) else { return }
                do throws(FieldProblem) {
                    _ = try Self.fieldText(value, in: bytes, isInteger: isIntegerKey(key, in: bytes))
                    fieldCount += 1
                } catch {
                    failure = error.refusal(field: key.text(in: bytes), value: value, in: bytes)
                }
            }
            if let failure { throw failure }
        } else {
            for index in 0..<fieldSlots.count {
                guard let value = Self.present(values, fieldSlots[index]) else { continue }
                do throws(FieldProblem) {
                    fieldValues[index] = try Self.fieldText(value, in: bytes, isInteger: fieldIsInteger[index])
                } catch {
                    throw error.refusal(field: fieldNames[index], value: value, in: bytes)
                }
                fieldCount += 1
            }
        }
        guard fieldCount > 0 else { throw .init("the record has none of the configured fields") }
        let time = try timestamp(Self.present(values, timeSlot), recordTimestampMilliseconds: recordTimestampMilliseconds, in: bytes)

        if let recordMeasurement {
            try recordMeasurement.withText(in: bytes) { name throws(LineProtocol.Unrepresentable) in
                try LineProtocol.appendMeasurement(name, to: &output)
            }
        } else if let range = fixedMeasurementRange {
            appendName(range, to: &output)
        } else {
            _ = try fixedMeasurement.get() // throws why
        }
        for position in 0..<tagWriteOrder.count {
            let index = tagWriteOrder[position]
            // An empty tag is an absent one to InfluxDB: left out.
            guard let value = tagValues[index], !value.range.isEmpty else { continue }
            guard let key = tagKeyRanges[index] else { _ = try tagMembers[index].key.get(); continue } // throws why
            output.append(UInt8(ascii: ","))
            appendName(key, to: &output)
            output.append(UInt8(ascii: "="))
            // The closure captures the name, not `self` (a copy of the whole encoder).
            let name = tagNames[index]
            try value.withText(in: bytes) { text throws(LineProtocol.Unrepresentable) in
                try LineProtocol.appendTagValue(text, ofTag: name, to: &output)
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
                    if let text = try? Self.fieldText(value, in: bytes, isInteger: isIntegerKey(key, in: bytes)) {
                        write(text, in: bytes, to: &output)
                    }
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        } else {
            for index in 0..<fieldSlots.count {
                guard let value = fieldValues[index] else { continue }
                guard let key = fieldKeyRanges[index] else { _ = try fieldMembers[index].key.get(); continue } // throws why
                output.append(separator)
                separator = UInt8(ascii: ",")
                appendName(key, to: &output)
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

    /// Why a field value cannot be written; the caller names the field (so
    /// the check itself needs nothing of the configuration).
    private enum FieldProblem: Error {
        case integerFoundString, integerFoundBoolean, notAnInteger, outOfRange, notScalar

        func refusal(field key: String, value: JSONSpan, in bytes: UnsafeRawBufferPointer) -> LineProtocol.Unrepresentable {
            switch self {
            case .integerFoundString: .init("field '\(key)' must be an integer, found a string")
            case .integerFoundBoolean: .init("field '\(key)' must be an integer, found a boolean")
            case .notAnInteger: .init("field '\(key)' must be a 64-bit integer, found \(value.text(in: bytes))")
            case .outOfRange: .init("field '\(key)' is out of range: \(value.text(in: bytes))")
            case .notScalar: .init("field '\(key)' must be a string, number or boolean")
            }
        }
    }

    /// Checks a field value.
    private static func fieldText(_ value: JSONSpan, in bytes: UnsafeRawBufferPointer,
                                  isInteger: Bool) throws(FieldProblem) -> FieldText {
        switch value.kind {
        case .string:
            if isInteger { throw .integerFoundString }
            return .string(value)
        case .bool(let flag):
            if isInteger { throw .integerFoundBoolean }
            return .boolean(flag)
        case .number:
            let text = UnsafeRawBufferPointer(rebasing: bytes[value.range])
            if isInteger {
                if let integer = NumberText.int64(text) { return .integer(integer) }
                if let double = NumberText.double(text), double.rounded() == double, let integer = Int64(exactly: double) {
                    return .integer(integer)
                }
                throw .notAnInteger
            }
            guard NumberText.isFinite(text) else { throw .outOfRange }
            return .float(value.range)
        case .null, .array, .object:
            throw .notScalar
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
        guard hasTimeField else {
            guard let instant = Timestamp(value: recordTimestampMilliseconds, precision: .milliseconds) else {
                throw .init("the record timestamp is out of range")
            }
            return instant.value(in: precision)
        }
        guard let value else { throw .init("the record has no '\(timeField ?? "")'") }
        switch value.kind {
        case .string:
            guard let instant = value.withText(in: bytes, { Timestamp(rfc3339: $0) }) else {
                throw .init("'\(timeField ?? "")' is not an RFC 3339 time with a zone: \(value.text(in: bytes))")
            }
            return instant.value(in: precision)
        case .number:
            guard let integer = NumberText.int64(UnsafeRawBufferPointer(rebasing: bytes[value.range])) else {
                throw .init("'\(timeField ?? "")' must be an integer in \(precision.rawValue), found \(value.text(in: bytes))")
            }
            return integer
        default:
            throw .init("'\(timeField ?? "")' must be an RFC 3339 string or an integer")
        }
    }
}
