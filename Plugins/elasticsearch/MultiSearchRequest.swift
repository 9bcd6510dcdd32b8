import Foundation

/// The NDJSON body of one `_msearch` request: per query a header line naming
/// the index and a body line `{"query": <template with the query text>, "size": 1}`.
struct MultiSearchRequest {
    /// The body, each line ending in `\n` (Elasticsearch requires the final newline).
    private(set) var body: [UInt8] = []
    /// The number of searches in it.
    private(set) var count = 0

    private let header: [UInt8]
    private let template: TemplateValue

    /// An empty request for `index`, querying with `template`.
    init(index: String, template: TemplateValue) {
        header = JSONLine.encode(["index": index])
        self.template = template
    }

    /// Appends a search for the top hit of `query`.
    mutating func append(query: String) {
        body += header
        body += JSONLine.encode(["query": template.jsonObject(substituting: query), "size": 1])
        count += 1
    }
}

/// One JSON value serialized on one line, newline included (NDJSON).
enum JSONLine {
    /// `object` as compact JSON plus `\n`. JSONSerialization never emits a raw
    /// newline (it escapes those inside strings), so the result is one line.
    static func encode(_ object: Any) -> [UInt8] {
        // The objects built here are always valid JSON trees; "{}" is the unreachable fallback.
        var bytes = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]))
            .map { [UInt8]($0) } ?? Array("{}".utf8)
        bytes.append(10)
        return bytes
    }
}
