import SluicePluginKit

/// The NDJSON body of one `_msearch` request: per query a header line naming
/// the index and a body line `{"query":<template with the query text>,"size":1}`.
/// The query text goes in as a JSON string value, through
/// ``JSONValue/jsonText``: never pasted into JSON text.
struct MultiSearchRequest {
    /// The string of a query template that stands for the record's query text.
    static let queryPlaceholder = "{{query}}"

    /// The body, each line ending in `\n` (Elasticsearch requires the final newline).
    private(set) var body: [UInt8] = []
    /// The number of searches in it.
    private(set) var count = 0

    private let header: [UInt8]
    private let template: JSONValue

    /// An empty request for `index`, querying with `template` (a JSON object
    /// in which every string equal to ``queryPlaceholder`` becomes the query text).
    init(index: String, template: JSONValue) {
        header = Array(#"{"index":\#(JSONText.quoted(index))}"#.utf8) + [10]
        self.template = template
    }

    /// Appends a search for the top hit of `query`.
    mutating func append(query: String) {
        body += header
        body += Array(#"{"query":\#(Self.substituting(query, in: template).jsonText),"size":1}"#.utf8)
        body.append(10)
        count += 1
    }

    /// `template` with every string equal to the placeholder replaced by `query`.
    private static func substituting(_ query: String, in template: JSONValue) -> JSONValue {
        switch template {
        case .string(let text): .string(text == queryPlaceholder ? query : text)
        case .number, .bool, .null: template
        case .array(let items): .array(items.map { substituting(query, in: $0) })
        case .object(let members): .object(members.map { (key: $0.key, value: substituting(query, in: $0.value)) })
        }
    }
}
