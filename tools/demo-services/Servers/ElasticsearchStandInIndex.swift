import Foundation

/// One index of the stand-in: documents by id, an optional field mapping
/// that rejects values of the wrong type (as Elasticsearch's mapper does), and
/// `match` scoring. Not thread-safe: the stand-in holds its lock around it.
final class StandInIndex {
    /// A stored document.
    struct Document {
        let source: [String: Any]
        let version: Int
        let sequenceNumber: Int
    }

    let name: String
    /// Field path → mapping type (`long`, `integer`, `double`, `float`, `boolean`, `text`, `keyword`, ...).
    let mappings: [String: String]
    private(set) var documents: [String: Document] = [:]
    private var nextSequenceNumber = 0

    init(name: String, mappings: [String: String]) {
        self.name = name
        self.mappings = mappings
    }

    /// Stores (or replaces) a document; returns its new version and whether it was created.
    func put(id: String, source: [String: Any]) -> (version: Int, sequenceNumber: Int, created: Bool) {
        let previous = documents[id]
        let version = (previous?.version ?? 0) + 1
        let sequenceNumber = nextSequenceNumber
        nextSequenceNumber += 1
        documents[id] = Document(source: source, version: version, sequenceNumber: sequenceNumber)
        return (version, sequenceNumber, previous == nil)
    }

    /// Deletes a document.
    func remove(_ id: String) { documents[id] = nil }

    /// Elasticsearch's `mapper_parsing_exception` reason when a mapped field
    /// holds a value its type cannot parse, or nil when the document fits.
    func mappingViolation(id: String, source: [String: Any]) -> String? {
        for (path, type) in mappings.sorted(by: { $0.key < $1.key }) {
            guard let value = StandInIndex.value(at: path, in: source), !(value is NSNull) else { continue }
            if !StandInIndex.fits(value, type: type) {
                return "failed to parse field [\(path)] of type [\(type)] in document with id '\(id)'. "
                    + "Preview of field's value: '\(value)'"
            }
        }
        return nil
    }

    /// The documents matching `query` (an Elasticsearch query object), best first.
    func search(_ query: [String: Any]) throws(StandInQueryError) -> [(id: String, score: Double, document: Document)] {
        let scored: [(id: String, score: Double, document: Document)]
        if query.isEmpty || query["match_all"] != nil {
            scored = documents.map { ($0.key, 1.0, $0.value) }
        } else if let match = query["match"] as? [String: Any], match.count == 1, case let (field, spec)? = match.first {
            let text: String
            if let plain = spec as? String {
                text = plain
            } else if let object = spec as? [String: Any], let inner = object["query"] {
                text = "\(inner)"
            } else if let number = spec as? NSNumber {
                text = number.stringValue
            } else {
                throw StandInQueryError("[match] query malformed, no start_object after query name")
            }
            let terms = StandInIndex.tokens(text)
            scored = documents.compactMap { id, document in
                guard let value = StandInIndex.value(at: field, in: document.source) else { return nil }
                let fieldTokens = StandInIndex.tokens(StandInIndex.text(of: value))
                // Relevance: how often the query's terms occur in the field.
                let score = terms.reduce(0.0) { total, term in total + Double(fieldTokens.count { $0 == term }) }
                return score > 0 ? (id, score, document) : nil
            }
        } else {
            let kind = query.keys.sorted().first ?? ""
            throw StandInQueryError("unknown query [\(kind)]")
        }
        // Ties keep indexing order, so tests can predict the top hit.
        return scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.document.sequenceNumber < $1.document.sequenceNumber }
    }

    /// Lower-cased alphanumeric runs: a toy version of the standard analyzer.
    static func tokens(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// The value at a dotted path (`user.name`) of a source object.
    static func value(at path: String, in source: [String: Any]) -> Any? {
        var current: Any? = source
        for component in path.split(separator: ".") {
            guard let object = current as? [String: Any] else { return nil }
            current = object[String(component)]
        }
        return current
    }

    private static func text(of value: Any) -> String {
        if let string = value as? String { return string }
        if let array = value as? [Any] { return array.map { text(of: $0) }.joined(separator: " ") }
        return "\(value)"
    }

    private static func fits(_ value: Any, type: String) -> Bool {
        switch type {
        case "long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float":
            if let string = value as? String { return Double(string.trimmingCharacters(in: .whitespaces)) != nil }
            return value is NSNumber
        case "boolean":
            if let string = value as? String { return string == "true" || string == "false" || string.isEmpty }
            return value is NSNumber
        case "object":
            return value is [String: Any]
        default:
            return !(value is [String: Any])
        }
    }
}

/// A query the stand-in cannot run (Elasticsearch answers 400 `parsing_exception`).
struct StandInQueryError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
