import SluiceSDK

/// One argument of a configured command, e.g. `"{timestamp:epoch}"` or
/// `"feed:{user}"`: literal text and placeholders, rendered per record.
///
/// Syntax: `{name}` or `{name:conversion}`; `{{` and `}}` are literal braces.
/// `name` is `key` (the record key), `value` (the raw record value) or a
/// field path of the JSON value (`user`, `author.id`).
struct ArgumentTemplate: Sendable {
    /// The parts in order.
    let pieces: [TemplatePiece]
    /// The text as configured (for error messages).
    let source: String

    /// Parses `text`; the error names what is wrong.
    init(parsing text: String) throws(ConfigurationError) {
        source = text
        var pieces: [TemplatePiece] = []
        var literal: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "{"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{") {
                literal.append(byte)
                index += 2
            } else if byte == UInt8(ascii: "}") {
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "}") else {
                    throw ConfigurationError("argument \"\(text)\": a lone '}' (write '}}' for a literal brace)")
                }
                literal.append(byte)
                index += 2
            } else if byte == UInt8(ascii: "{") {
                guard let close = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw ConfigurationError("argument \"\(text)\": '{' without a closing '}'")
                }
                let inside = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
                if !literal.isEmpty { pieces.append(.literal(literal)); literal = [] }
                pieces.append(.placeholder(try Placeholder(parsing: inside, in: text)))
                index = close + 1
            } else {
                literal.append(byte)
                index += 1
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    /// Whether rendering reads the record value (so a null value cannot be rendered).
    var readsValue: Bool {
        pieces.contains { if case .placeholder(let p) = $0 { p.source != .recordKey } else { false } }
    }
}

/// A part of an ``ArgumentTemplate``.
enum TemplatePiece: Sendable {
    /// Bytes copied as they are.
    case literal([UInt8])
    /// A value taken from the record.
    case placeholder(Placeholder)
}

/// `{name:conversion}` inside an argument.
struct Placeholder: Sendable {
    /// Where the text comes from.
    enum Source: Sendable, Equatable {
        /// `{key}`: the record key's bytes.
        case recordKey
        /// `{value}`: the record value's bytes as they are.
        case recordValue
        /// A field of the JSON value, by path (`author.id` → `["author", "id"]`).
        case field([[UInt8]])
    }

    /// How the text is converted.
    enum Conversion: String, Sendable, CaseIterable {
        /// As it is: strings unquoted, numbers and booleans as written, objects and arrays as JSON text.
        case none = ""
        /// ISO-8601 timestamp → epoch seconds (with the fraction, e.g. `1558446912.123`).
        case epoch
        /// ISO-8601 timestamp → epoch milliseconds (an integer).
        case epochMilliseconds = "epoch_ms"
        /// A JSON number, or a string holding one → that number's text.
        case number
    }

    let source: Source
    let conversion: Conversion
    /// The name as written, for reasons (`user`, `author.id`, `key`).
    let name: String

    init(parsing text: String, in argument: String) throws(ConfigurationError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard !name.isEmpty else { throw ConfigurationError("argument \"\(argument)\": an empty placeholder name") }
        if parts.count == 2 {
            guard let conversion = Conversion(rawValue: String(parts[1])), conversion != .none else {
                let known = Conversion.allCases.filter { $0 != .none }.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError("argument \"\(argument)\": unknown conversion '\(parts[1])' (known: \(known))")
            }
            self.conversion = conversion
        } else {
            conversion = .none
        }
        switch name {
        case "key": source = .recordKey
        case "value": source = .recordValue
        default:
            let path = name.split(separator: ".", omittingEmptySubsequences: false)
            guard !path.contains(where: \.isEmpty) else {
                throw ConfigurationError("argument \"\(argument)\": '\(name)' is not a field path")
            }
            source = .field(path.map { Array($0.utf8) })
        }
        self.name = name
    }
}
