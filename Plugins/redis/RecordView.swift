import SluicePluginKit

/// One record as templates see it: borrowed key and value bytes, and the
/// values of the plan's fields, found in one pass over the value's JSON on
/// first use. One view serves a whole batch (``reset(key:value:)``), so the
/// found fields' storage is allocated once per batch, not per record.
struct RecordView {
    private(set) var key: UnsafeRawBufferPointer?
    private(set) var value: UnsafeRawBufferPointer?
    /// The value at each of the plan's field paths (nil: not found), once looked up.
    private var fields: [JSONSpan?] = []
    private var fieldsLookedUp = false

    /// Points the view at the next record.
    mutating func reset(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?) {
        self.key = key
        self.value = value
        fieldsLookedUp = false
    }

    // A field's placeholder is an autoclosure: it is only needed to name the
    // field in a failure's reason, and copying it would retain its strings
    // once per record.

    /// Appends the record key, converted.
    mutating func renderKey(_ conversion: Placeholder.Conversion, into output: inout [UInt8]) throws(RenderFailure) {
        guard let key else { throw RenderFailure(reason: "the record has no key (needed by {key})") }
        try Self.convertText(key, conversion, label: "record key", into: &output)
    }

    /// Appends the raw record value, converted.
    mutating func renderValue(_ conversion: Placeholder.Conversion, into output: inout [UInt8]) throws(RenderFailure) {
        guard let value else { throw RenderFailure(reason: "the record has no value") }
        try Self.convertText(value, conversion, label: "record value", into: &output)
    }

    /// Appends the value at path `slot` of `lookup`, converted.
    mutating func renderField(slot: Int, _ conversion: Placeholder.Conversion, lookup: JSONFieldLookup,
                              placeholder: @autoclosure () -> Placeholder, into output: inout [UInt8]) throws(RenderFailure) {
        guard let value else { throw RenderFailure(reason: "the record has no value") }
        if !fieldsLookedUp {
            do {
                try lookup.find(in: value, into: &fields)
            } catch {
                throw RenderFailure(reason: "the value is not valid JSON: \(error)")
            }
            fieldsLookedUp = true
        }
        guard let token = fields[slot] else { try Self.explainMissing(placeholder(), in: value) }
        try Self.convert(token, conversion, placeholder: placeholder(), source: value, into: &output)
    }

    /// The slow path, for a field the lookup did not find: walks the parsed
    /// tree to say why (the value is not an object, a parent is not an
    /// object, or the field is missing). The tree and the lookup follow the
    /// same rules (a property test holds them to it), so this always throws.
    private static func explainMissing(_ placeholder: Placeholder, in value: UnsafeRawBufferPointer)
        throws(RenderFailure) -> Never {
        if case .field(let path) = placeholder.source, let root = try? JSONParser.parse(value) {
            var node = root
            for (depth, component) in path.enumerated() {
                guard case .object(let members, _) = node else {
                    if depth == 0 { throw RenderFailure(reason: "the value is not a JSON object") }
                    let parent = path[..<depth].map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
                    throw RenderFailure(reason: "field '\(parent)' is not an object (needed for '\(placeholder.name)')")
                }
                // The last of duplicate keys wins, as in most JSON readers (and in JSONFieldLookup).
                guard let member = members.last(where: { $0.key == component }) else { break }
                node = member.value
            }
        }
        throw RenderFailure(reason: "missing field '\(placeholder.name)'")
    }

    /// Renders a JSON value found at a field.
    private static func convert(_ token: JSONSpan, _ conversion: Placeholder.Conversion,
                                placeholder: @autoclosure () -> Placeholder, source: UnsafeRawBufferPointer,
                                into output: inout [UInt8]) throws(RenderFailure) {
        let text = source[token.range]
        switch token.kind {
        case .null:
            throw RenderFailure(reason: "\(label(placeholder())) is null")
        case .string(escaped: false):
            try convertText(UnsafeRawBufferPointer(rebasing: text), conversion, label: label(placeholder()), into: &output)
        case .string(escaped: true):
            if conversion == .none {
                JSONStrings.appendUnescaped(source, token.range, to: &output)
                return
            }
            let unescaped = JSONStrings.unescape(source, token.range)
            // withUnsafeBytes rethrows untyped errors: carry the failure out as a value.
            let failure = unescaped.withUnsafeBytes { bytes -> RenderFailure? in
                do throws(RenderFailure) {
                    try convertText(bytes, conversion, label: label(placeholder()), into: &output)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw failure }
        case .number:
            switch conversion {
            case .none, .number: output.append(contentsOf: text)
            case .epoch, .epochMilliseconds:
                throw RenderFailure(reason: "\(label(placeholder())): \(display(text)) is not an ISO-8601 timestamp")
            }
        case .bool(let flag):
            switch conversion {
            case .none: output.append(contentsOf: (flag ? "true" : "false").utf8)
            case .number: throw RenderFailure(reason: "\(label(placeholder())): \(flag) is not a number")
            case .epoch, .epochMilliseconds:
                throw RenderFailure(reason: "\(label(placeholder())): \(flag) is not an ISO-8601 timestamp")
            }
        case .array, .object:
            switch conversion {
            case .none: output.append(contentsOf: text)
            case .number: throw RenderFailure(reason: "\(label(placeholder())): \(display(text)) is not a number")
            case .epoch, .epochMilliseconds:
                throw RenderFailure(reason: "\(label(placeholder())): \(display(text)) is not an ISO-8601 timestamp")
            }
        }
    }

    /// Renders text (a string's content, the key or the raw value) with the placeholder's conversion.
    /// `label` is an autoclosure: it is only built for a failure's reason.
    private static func convertText(_ text: UnsafeRawBufferPointer, _ conversion: Placeholder.Conversion,
                                    label: @autoclosure () -> String, into output: inout [UInt8]) throws(RenderFailure) {
        switch conversion {
        case .none:
            output.append(contentsOf: text)
        case .number:
            guard JSONNumberGrammar.isNumber(text) else {
                throw RenderFailure(reason: "\(label()): \(quoted(text)) is not a number")
            }
            output.append(contentsOf: text)
        case .epoch:
            guard let instant = ISO8601Instant(text) else {
                throw RenderFailure(reason: "\(label()): \(quoted(text)) is not an ISO-8601 timestamp")
            }
            instant.appendEpochSeconds(to: &output)
        case .epochMilliseconds:
            guard let instant = ISO8601Instant(text) else {
                throw RenderFailure(reason: "\(label()): \(quoted(text)) is not an ISO-8601 timestamp")
            }
            instant.appendEpochMilliseconds(to: &output)
        }
    }

    /// How reasons name a field placeholder.
    private static func label(_ placeholder: Placeholder) -> String { "field '\(placeholder.name)'" }

    /// Text of a value for a reason, shortened: reasons go into headers and logs.
    private static func display(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        let text = String(decoding: bytes.prefix(80), as: UTF8.self)
        return bytes.count > 80 ? text + "…" : text
    }

    private static func quoted(_ bytes: UnsafeRawBufferPointer) -> String {
        "\"" + display(bytes[...]) + "\""
    }
}
