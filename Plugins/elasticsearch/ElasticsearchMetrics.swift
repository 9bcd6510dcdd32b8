import SluiceSDK

/// The agent's counters (`sluice_plugin_<name>{agent="elasticsearch"}`).
struct ElasticsearchMetrics: Sendable {
    /// Queries sent in `_msearch` requests.
    let searches: Counter
    /// Queries answered with a top hit.
    let hits: Counter
    /// Queries without a hit.
    let noHits: Counter
    /// Documents stored by `_bulk`.
    let documentsIndexed: Counter
    /// Bulk items to send again (429, 503, ...).
    let documentsRetried: Counter
    /// Bulk items the cluster rejected (dead-lettered).
    let documentsRejected: Counter
    /// Whole requests that failed (connection, 5xx, ...).
    let requestsFailed: Counter
    /// Connections the HTTP client opened: at most `max_connections` while
    /// the cluster keeps them alive (the shared client's `http_connections_opened`).
    let connectionsOpened: Counter

    init(host: HostServices) {
        searches = host.counter("es_searches")
        hits = host.counter("es_hits")
        noHits = host.counter("es_no_hits")
        documentsIndexed = host.counter("es_documents_indexed")
        documentsRetried = host.counter("es_documents_retried")
        documentsRejected = host.counter("es_documents_rejected")
        requestsFailed = host.counter("es_requests_failed")
        connectionsOpened = host.counter("http_connections_opened")
    }
}
