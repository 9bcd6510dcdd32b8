import SluicePluginKit

/// The elasticsearch agent's configuration (the sidecar's `config:`), every
/// key optional except `index`. See docs/plugins/elasticsearch.md.
struct ElasticsearchConfiguration: Decodable, Sendable {
    /// What the agent does with each record.
    enum Mode: String, Decodable, Sendable {
        /// Look up the top hit for each query record (the default).
        case search
        /// Index each record as a document.
        case index
    }

    /// What search mode does with a query that has no hit.
    enum NoHitPolicy: String, Sendable {
        /// Produce the query with `"top_result": null`.
        case null
        /// Dead-letter the query record.
        case deadLetter = "dead_letter"
    }

    /// The `_bulk` action for each document (public for the benchmarks).
    typealias BulkAction = ElasticsearchBulkAction

    /// Base URL of the cluster, e.g. `http://127.0.0.1:9200`.
    var url = "http://127.0.0.1:9200"
    /// `search` (default) or `index`.
    var mode = Mode.search
    /// The index searched or written. Required.
    var index = ""
    /// Credentials, or nil for none.
    var auth: ElasticsearchAuthConfiguration?
    /// Request timeout in milliseconds.
    var timeoutMilliseconds = 30_000
    /// Connect timeout in milliseconds.
    var connectTimeoutMilliseconds = 5_000
    /// Most concurrent connections to the cluster.
    var maxConnections = 8

    // Search mode.
    /// The field of a query record holding the query text.
    var queryField = "query"
    /// The document field the default `match` query runs on.
    var matchField = "text"
    /// The `query` clause, in which every string exactly equal to `{{query}}`
    /// is replaced by the record's query text; nil: `{"match": {matchField: "{{query}}"}}`.
    var queryTemplate: JSONValue?
    /// Where enriched queries go.
    var outputTopic = "top_results"
    /// A field of the query record whose value keys the output; nil: the input key.
    var outputKeyField: String?
    /// What to do when a query has no hit.
    var onNoHit = NoHitPolicy.null

    // Index mode.
    /// The document field whose value is the `_id`; nil: `<topic>-<partition>-<offset>`.
    var idField: String?
    /// `index` (default) or `create`.
    var action = BulkAction.index
    /// Most documents in one `_bulk` request.
    var bulkMaxDocuments = 1000
    /// Most body bytes in one `_bulk` request (a larger single document is sent alone).
    var bulkMaxBytes = 5 * 1024 * 1024

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, mode, index, auth
        case timeoutMilliseconds = "timeout_ms"
        case connectTimeoutMilliseconds = "connect_timeout_ms"
        case maxConnections = "max_connections"
        case queryField = "query_field"
        case matchField = "match_field"
        case queryTemplate = "query_template"
        case outputTopic = "output_topic"
        case outputKeyField = "output_key_field"
        case onNoHit = "on_no_hit"
        case idField = "id_field"
        case action
        case bulkMaxDocuments = "bulk_max_documents"
        case bulkMaxBytes = "bulk_max_bytes"
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Unknown keys are errors, like the host's own configuration: a typo must not pass silently.
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        let present = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = present.first(where: { !known.contains($0) }) {
            throw ConfigurationKeyError("unknown key '\(unknown)' (valid keys: \(known.sorted().joined(separator: ", ")))")
        }
        url = try container.decodeIfPresent(String.self, forKey: .url) ?? url
        mode = try container.decodeIfPresent(Mode.self, forKey: .mode) ?? mode
        index = try container.decodeIfPresent(String.self, forKey: .index) ?? index
        auth = try container.decodeIfPresent(ElasticsearchAuthConfiguration.self, forKey: .auth)
        timeoutMilliseconds = try container.decodeIfPresent(Int.self, forKey: .timeoutMilliseconds) ?? timeoutMilliseconds
        connectTimeoutMilliseconds = try container.decodeIfPresent(Int.self, forKey: .connectTimeoutMilliseconds) ?? connectTimeoutMilliseconds
        maxConnections = try container.decodeIfPresent(Int.self, forKey: .maxConnections) ?? maxConnections
        queryField = try container.decodeIfPresent(String.self, forKey: .queryField) ?? queryField
        matchField = try container.decodeIfPresent(String.self, forKey: .matchField) ?? matchField
        queryTemplate = try container.decodeIfPresent(JSONValue.self, forKey: .queryTemplate)
        outputTopic = try container.decodeIfPresent(String.self, forKey: .outputTopic) ?? outputTopic
        outputKeyField = try container.decodeIfPresent(String.self, forKey: .outputKeyField)
        // YAML's bare `null` arrives as JSON null, which means the default (null) policy too.
        if let policy = try container.decodeIfPresent(String.self, forKey: .onNoHit) {
            guard let parsed = NoHitPolicy(rawValue: policy) else {
                throw ConfigurationKeyError("on_no_hit: expected null or dead_letter, found '\(policy)'")
            }
            onNoHit = parsed
        }
        idField = try container.decodeIfPresent(String.self, forKey: .idField)
        action = try container.decodeIfPresent(BulkAction.self, forKey: .action) ?? action
        bulkMaxDocuments = try container.decodeIfPresent(Int.self, forKey: .bulkMaxDocuments) ?? bulkMaxDocuments
        bulkMaxBytes = try container.decodeIfPresent(Int.self, forKey: .bulkMaxBytes) ?? bulkMaxBytes
    }

    /// The checks decoding cannot make; the message names the key.
    func validate() throws(ConfigurationKeyError) {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ConfigurationKeyError("url: expected an http:// or https:// URL, found '\(SecretRedaction.maskingURLCredentials(url))'")
        }
        guard !index.isEmpty else { throw ConfigurationKeyError("index: required (the index to search or write)") }
        guard !index.contains("/"), !index.contains("?"), !index.contains("#") else {
            throw ConfigurationKeyError("index: must not contain '/', '?' or '#', found '\(index)'")
        }
        guard timeoutMilliseconds > 0 else { throw ConfigurationKeyError("timeout_ms: expected a positive integer") }
        guard connectTimeoutMilliseconds > 0 else { throw ConfigurationKeyError("connect_timeout_ms: expected a positive integer") }
        guard (1...256).contains(maxConnections) else { throw ConfigurationKeyError("max_connections: expected 1–256") }
        guard !queryField.isEmpty else { throw ConfigurationKeyError("query_field: must not be empty") }
        guard !matchField.isEmpty else { throw ConfigurationKeyError("match_field: must not be empty") }
        switch queryTemplate {
        case nil, .object?: break
        default: throw ConfigurationKeyError("query_template: expected a mapping (the query clause)")
        }
        guard !outputTopic.isEmpty else { throw ConfigurationKeyError("output_topic: must not be empty") }
        if let idField, idField.isEmpty { throw ConfigurationKeyError("id_field: must not be empty") }
        guard bulkMaxDocuments > 0 else { throw ConfigurationKeyError("bulk_max_documents: expected a positive integer") }
        guard bulkMaxBytes > 0 else { throw ConfigurationKeyError("bulk_max_bytes: expected a positive integer") }
        try auth?.validate()
    }

    /// The base URL without a trailing slash.
    var baseURL: String { url.hasSuffix("/") ? String(url.dropLast()) : url }

    /// The query clause with the `{{query}}` placeholder.
    var effectiveQueryTemplate: JSONValue {
        queryTemplate ?? .object([(key: "match", value: .object([(key: matchField, value: .string(MultiSearchRequest.queryPlaceholder))]))])
    }
}

/// A configuration problem, described with the key it concerns.
struct ConfigurationKeyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Any key of a JSON object, to list the keys present.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
