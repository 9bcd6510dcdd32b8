import SluicePluginKit
import SluiceSDK

/// The elasticsearch agent's configuration (the sidecar's `config:`), every
/// key optional except `index`, declared in ``spec``
/// (ElasticsearchConfiguration+Spec.swift), which refuses unknown keys, wrong
/// types and out-of-range values and fills in defaults before this decodes.
/// See docs/plugins/elasticsearch.md.
struct ElasticsearchConfiguration: DeclaredConfiguration {
    /// What the agent does with each record.
    enum Mode: String, Decodable, Sendable {
        /// Look up the top hit for each query record (the default).
        case search
        /// Index each record as a document.
        case index
    }

    /// What search mode does with a query that has no hit.
    enum NoHitPolicy: String, Decodable, Sendable {
        /// Produce the query with `"top_result": null`.
        case null
        /// Dead-letter the query record.
        case deadLetter = "dead_letter"

        /// Reads the policy; YAML's bare `null` arrives as JSON null and means the `null` policy.
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null; return }
            let text = try container.decode(String.self)
            guard let policy = NoHitPolicy(rawValue: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected null or dead_letter")
            }
            self = policy
        }
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

    enum CodingKeys: String, CodingKey {
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

    /// The checks the declaration cannot make (the URL's form, the index's characters,
    /// the template's shape, the auth scheme); the message names the key.
    func validate() throws(ConfigurationKeyError) {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ConfigurationKeyError("url: expected an http:// or https:// URL, found '\(SecretRedaction.maskingURLCredentials(url))'")
        }
        guard !index.contains("/"), !index.contains("?"), !index.contains("#") else {
            throw ConfigurationKeyError("index: must not contain '/', '?' or '#', found '\(index)'")
        }
        switch queryTemplate {
        case nil, .object?: break
        default: throw ConfigurationKeyError("query_template: expected a mapping (the query clause)")
        }
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
