import SluicePluginKit

/// One record as templates see it: borrowed key and value bytes, and the
/// value's JSON, parsed on first use and at most once.
struct RecordView {
    let key: UnsafeRawBufferPointer?
    let value: UnsafeRawBufferPointer?
    private var document: JSONNode?

    init(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?) {
        self.key = key
        self.value = value
    }

    /// Appends the rendering of `template` to `output`.
    mutating func render(_ template: ArgumentTemplate, into output: inout [UInt8]) throws(RenderFailure) {
        for piece in template.pieces {
            switch piece {
            case .literal(let bytes): output.append(contentsOf: bytes)
            case .placeholder(let placeholder): try render(placeholder, into: &output)
            }
        }
    }

    private mutating func render(_ placeholder: Placeholder, into output: inout [UInt8]) throws(RenderFailure) {
        switch placeholder.source {
        case .recordKey:
            guard let key else { throw RenderFailure(reason: "the record has no key (needed by {key})") }
            try Self.convertText(key, placeholder.conversion, label: "record key", into: &output)
        case .recordValue:
            guard let value else { throw RenderFailure(reason: "the record has no value") }
            try Self.convertText(value, placeholder.conversion, label: "record value", into: &output)
        case .field(let path):
            guard let value else { throw RenderFailure(reason: "the record has no value") }
            let root = try parsedDocument(value)
            var node = root
            for (depth, component) in path.enumerated() {
                guard case .object(let members, _) = node else {
                    if depth == 0 { throw RenderFailure(reason: "the value is not a JSON object") }
                    let parent = path[..<depth].map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
                    throw RenderFailure(reason: "field '\(parent)' is not an object (needed for '\(placeholder.name)')")
                }
                // The last of duplicate keys wins, as in most JSON readers.
                guard let member = members.last(where: { $0.key == component }) else {
                    throw RenderFailure(reason: "missing field '\(placeholder.name)'")
                }
                node = member.value
            }
            try convert(node, placeholder, source: value, into: &output)
        }
    }

    private mutating func parsedDocument(_ value: UnsafeRawBufferPointer) throws(RenderFailure) -> JSONNode {
        if let document { return document }
        do {
            let parsed = try JSONParser.parse(value)
            document = parsed
            return parsed
        } catch {
            throw RenderFailure(reason: "the value is not valid JSON: \(error)")
        }
    }

    /// Renders a JSON value found at a field.
    private func convert(_ node: JSONNode, _ placeholder: Placeholder, source: UnsafeRawBufferPointer,
                         into output: inout [UInt8]) throws(RenderFailure) {
        let label = "field '\(placeholder.name)'"
        switch node {
        case .null:
            throw RenderFailure(reason: "\(label) is null")
        case .string(let range, let escaped):
            if escaped {
                let text = JSONStrings.unescape(source, range)
                // withUnsafeBytes rethrows untyped errors: carry the failure out as a value.
                let failure = text.withUnsafeBytes { bytes -> RenderFailure? in
                    do throws(RenderFailure) {
                        try Self.convertText(bytes, placeholder.conversion, label: label, into: &output)
                        return nil
                    } catch {
                        return error
                    }
                }
                if let failure { throw failure }
            } else {
                try Self.convertText(UnsafeRawBufferPointer(rebasing: source[range]), placeholder.conversion,
                                     label: label, into: &output)
            }
        case .number(let range):
            switch placeholder.conversion {
            case .none, .number: output.append(contentsOf: source[range])
            case .epoch, .epochMilliseconds:
                throw RenderFailure(reason: "\(label): \(Self.display(source[range])) is not an ISO-8601 timestamp")
            }
        case .bool(let flag):
            switch placeholder.conversion {
            case .none: output.append(contentsOf: (flag ? "true" : "false").utf8)
            case .number: throw RenderFailure(reason: "\(label): \(flag) is not a number")
            case .epoch, .epochMilliseconds: throw RenderFailure(reason: "\(label): \(flag) is not an ISO-8601 timestamp")
            }
        case .array(_, let range), .object(_, let range):
            switch placeholder.conversion {
            case .none: output.append(contentsOf: source[range])
            case .number: throw RenderFailure(reason: "\(label): \(Self.display(source[range])) is not a number")
            case .epoch, .epochMilliseconds:
                throw RenderFailure(reason: "\(label): \(Self.display(source[range])) is not an ISO-8601 timestamp")
            }
        }
    }

    /// Renders text (a string's content, the key or the raw value) with a conversion.
    private static func convertText(_ text: UnsafeRawBufferPointer, _ conversion: Placeholder.Conversion,
                                    label: String, into output: inout [UInt8]) throws(RenderFailure) {
        switch conversion {
        case .none:
            output.append(contentsOf: text)
        case .number:
            guard JSONNumberGrammar.isNumber(text) else {
                throw RenderFailure(reason: "\(label): \(quoted(text)) is not a number")
            }
            output.append(contentsOf: text)
        case .epoch, .epochMilliseconds:
            guard let instant = ISO8601Instant(text) else {
                throw RenderFailure(reason: "\(label): \(quoted(text)) is not an ISO-8601 timestamp")
            }
            if conversion == .epoch {
                instant.appendEpochSeconds(to: &output)
            } else {
                instant.appendEpochMilliseconds(to: &output)
            }
        }
    }

    /// Text of a value for a reason, shortened: reasons go into headers and logs.
    private static func display(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        let text = String(decoding: bytes.prefix(80), as: UTF8.self)
        return bytes.count > 80 ? text + "…" : text
    }

    private static func quoted(_ bytes: UnsafeRawBufferPointer) -> String {
        "\"" + display(bytes[...]) + "\""
    }
}
