import SluicePluginKit

/// One document for `_bulk`: its `_id` and its source, one line of JSON.
/// Public for the benchmarks (`Benchmarks/`), like ``BulkRequest``.
public struct BulkDocument: Sendable {
    /// The message index in the batch this document came from.
    public let messageIndex: Int
    /// The `_id`.
    public let id: String
    /// The source as one line of JSON (no newline).
    public let source: [UInt8]

    /// A document with the given parts (`source` must already be one line).
    public init(messageIndex: Int, id: String, source: [UInt8]) {
        self.messageIndex = messageIndex
        self.id = id
        self.source = source
    }

    /// The document for one record's value, which must be a JSON object. The
    /// `_id` is the string or number at `idField` (a dotted path; a key that
    /// itself contains the dots is found first), or `defaultID()` without
    /// `idField`. The source is the value as it is, or re-encoded compactly
    /// (same members, numbers as written) when it spans several lines.
    /// - Throws: ``BulkDocumentError`` naming what is wrong with the record.
    public static func make(value: UnsafeRawBufferPointer, messageIndex: Int, idField: String?,
                            defaultID: () -> String) throws(BulkDocumentError) -> BulkDocument {
        // The borrowed parser copies no string or number: only the _id is made a String.
        guard let node = try? JSONParser.parse(value), case .object = node else {
            throw BulkDocumentError("the record is not a JSON object")
        }
        let id: String
        if let idField {
            guard let field = text(at: idField, in: node, of: value), !field.isEmpty else {
                throw BulkDocumentError("the record has no string or number field '\(idField)' for the _id")
            }
            id = field
        } else {
            id = defaultID()
        }
        // NDJSON needs the source on one line; re-encode only multi-line values.
        let multiLine = value.contains(10) || value.contains(13)
        let source = multiLine ? Array(JSONValue(node, in: value).jsonText.utf8) : Array(value)
        return BulkDocument(messageIndex: messageIndex, id: id, source: source)
    }

    /// The text of the string or number at `path` of an object node, or nil.
    private static func text(at path: String, in node: JSONNode, of bytes: UnsafeRawBufferPointer) -> String? {
        let field = member(Array(path.utf8), of: node)
            ?? path.split(separator: ".").reduce(Optional(node)) { current, key in current.flatMap { member(Array(key.utf8), of: $0) } }
        switch field {
        case .string(let range, let escaped)?:
            return String(decoding: escaped ? JSONStrings.unescape(bytes, range) : Array(bytes[range]), as: UTF8.self)
        case .number(let range)?:
            return String(decoding: bytes[range], as: UTF8.self)
        default:
            return nil
        }
    }

    /// The member `key` of an object node (the last occurrence, as most parsers do), or nil.
    private static func member(_ key: [UInt8], of node: JSONNode) -> JSONNode? {
        guard case .object(let members, _) = node else { return nil }
        return members.last { $0.key == key }?.value
    }
}

/// Why a record cannot be a `_bulk` document (the dead letter's reason).
public struct BulkDocumentError: Error, CustomStringConvertible {
    /// The reason, naming the field concerned.
    public let description: String

    init(_ description: String) { self.description = description }
}
