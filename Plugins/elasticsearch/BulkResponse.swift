import Foundation

/// What `_bulk` said about one document.
enum BulkItemOutcome: Equatable {
    /// Stored (or, for `create`, already there: a redelivery).
    case ok
    /// A transient failure (429, 503, other 5xx): send it again later.
    case retry(String)
    /// The server rejected the document (400 and other 4xx): dead-letter it.
    case reject(String)
}

/// Parses a `_bulk` response: `{"took", "errors", "items": [{"<action>": {"_index", "_id", "status", "error": {"type", "reason"}}}]}`.
enum BulkResponse {
    /// The outcome of each item in request order, or nil when the body is not
    /// a readable bulk response for `expected` items.
    static func parse(_ body: [UInt8], expected: Int, action: ElasticsearchConfiguration.BulkAction) -> [BulkItemOutcome]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let items = object["items"] as? [Any], items.count == expected else { return nil }
        return items.map { item in
            guard let wrapper = item as? [String: Any], let result = wrapper.values.first as? [String: Any],
                  let status = (result["status"] as? NSNumber)?.intValue else {
                return .retry("malformed _bulk item")
            }
            if (200..<300).contains(status) { return .ok }
            // `create` of a document that exists: an earlier delivery stored it.
            if status == 409 && action == .create { return .ok }
            let reason = ElasticsearchError.describe(result["error"] ?? "HTTP \(status)", status: status)
            return ElasticsearchError.isTransient(status) ? .retry(reason) : .reject(reason)
        }
    }
}
