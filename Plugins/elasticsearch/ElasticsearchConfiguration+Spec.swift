import SluiceSDK

extension ElasticsearchConfiguration {
    /// The keys of the elasticsearch agent's `config:`: the descriptor's
    /// `config_schema`, the strict check before decoding, and the table in
    /// docs/plugins/elasticsearch.md (compared by a test).
    static let spec = ConfigurationSpec {
        ConfigurationKey("url", .string(minLength: 1), default: "http://127.0.0.1:9200",
                         doc: "The cluster's base URL (`http://` or `https://`).")
        ConfigurationKey("mode", .oneOf("search", "index"), default: "search",
                         doc: "`search` or `index`.")
        ConfigurationKey("index", .string(minLength: 1), required: true,
                         doc: "The index searched or written.")
        ConfigurationKey("auth", ConfigurationType.object {
            ConfigurationKey("username", .string(minLength: 1), doc: "Basic: the user name.")
            ConfigurationKey("password_env", .string(minLength: 1),
                             doc: "Basic: the environment variable holding the password.")
            ConfigurationKey("api_key_env", .string(minLength: 1),
                             doc: "API key: the environment variable holding the encoded key.")
        }.orNull, doc: "Credentials: `username` and `password_env`, or `api_key_env` (see [Authentication](#authentication)); none without it.")
        ConfigurationKey("timeout_ms", .integer(atLeast: 1), default: 30_000,
                         doc: "Request timeout, in milliseconds.")
        ConfigurationKey("connect_timeout_ms", .integer(atLeast: 1), default: 5_000,
                         doc: "Connect timeout, in milliseconds.")
        ConfigurationKey("max_connections", .integer(1...256), default: 8,
                         doc: "Most concurrent connections.")
        ConfigurationKey("query_field", .string(minLength: 1), default: "query",
                         doc: "Search: the query record's field with the query text (a dotted path is allowed).")
        ConfigurationKey("match_field", .string(minLength: 1), default: "text",
                         doc: "Search: the document field of the default `match` query.")
        ConfigurationKey("query_template", .mapping,
                         doc: "Search: the `query` clause, a mapping; every string exactly `{{query}}` is replaced by the query text. Without it: `{\"match\": {<match_field>: \"{{query}}\"}}`.")
        ConfigurationKey("output_topic", .string(minLength: 1), default: "top_results",
                         doc: "Search: where enriched queries go.")
        ConfigurationKey("output_key_field", .string(minLength: 1),
                         doc: "Search: a field of the query record whose value keys the output; without it, the input key.")
        ConfigurationKey("on_no_hit", ConfigurationType.oneOf("null", "dead_letter").orNull, default: "null",
                         doc: "Search: `null` (produce the query with `\"top_result\": null`) or `dead_letter`.")
        ConfigurationKey("id_field", .string(minLength: 1),
                         doc: "Index: the document field used as `_id`; without it, `<topic>-<partition>-<offset>`.")
        ConfigurationKey("action", .oneOf("index", "create"), default: "index",
                         doc: "Index: `index` (create or replace) or `create`.")
        ConfigurationKey("bulk_max_documents", .integer(atLeast: 1), default: 1000,
                         doc: "Index: most documents per `_bulk` request.")
        ConfigurationKey("bulk_max_bytes", .integer(atLeast: 1), default: 5_242_880,
                         doc: "Index: most body bytes per `_bulk` request (a larger single document is sent alone).")
    }
}
