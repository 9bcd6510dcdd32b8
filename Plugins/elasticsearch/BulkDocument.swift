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
        // Checked without building a tree: only the _id is made a String.
        guard let root = try? JSONParser.validate(value), root.kind == .object else {
            throw BulkDocumentError("the record is not a JSON object")
        }
        let id: String
        if let idField {
            guard let field = text(at: idField, in: root, of: value), !field.isEmpty else {
                throw BulkDocumentError("the record has no string or number field '\(idField)' for the _id")
            }
            id = field
        } else {
            id = defaultID()
        }
        // NDJSON needs the source on one line; re-encode (the one place a tree
        // is built) only multi-line values.
        let multiLine = value.contains(10) || value.contains(13)
        guard multiLine, let node = try? JSONParser.parse(value) else {
            return BulkDocument(messageIndex: messageIndex, id: id, source: Array(value))
        }
        return BulkDocument(messageIndex: messageIndex, id: id, source: Array(JSONValue(node, in: value).jsonText.utf8))
    }

    /// The text of the string or number at `path` of the object `root`, or
    /// nil: the whole path as one key first (the last occurrence), then its
    /// dot-separated parts one level at a time.
    private static func text(at path: String, in root: JSONSpan, of bytes: UnsafeRawBufferPointer) -> String? {
        var field = JSONParser.lastMember(named: Array(path.utf8), of: root, in: bytes)
        if field == nil {
            field = root
            for key in path.split(separator: ".") {
                guard let object = field else { break }
                field = JSONParser.lastMember(named: Array(key.utf8), of: object, in: bytes)
            }
        }
        switch field?.kind {
        case .string?, .number?: return field?.text(in: bytes)
        default: return nil
        }
    }
}

/// Why a record cannot be a `_bulk` document (the dead letter's reason).
public struct BulkDocumentError: Error, CustomStringConvertible {
    /// The reason, naming the field concerned.
    public let description: String

    init(_ description: String) { self.description = description }
}
