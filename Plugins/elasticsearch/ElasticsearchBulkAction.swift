/// The `_bulk` action written for each document (`action:` in index mode).
public enum ElasticsearchBulkAction: String, Decodable, Sendable {
    /// Create or replace (a redelivered record overwrites itself).
    case index
    /// Create only; a redelivered record's 409 conflict counts as done.
    case create
}
