import Foundation

/// What `_msearch` said about one query.
enum SearchAnswer {
    /// The top hit: `{"_index", "_id", "_score", "_source"}` as Elasticsearch returned them.
    case hit([String: Any])
    /// No document matched.
    case noHit
    /// A transient failure of this search (429, 5xx): ask again later.
    case retry(String)
    /// A permanent failure of this search (a bad query, a missing index).
    case fail(String)
}

/// Parses an `_msearch` response body: `{"took", "responses": [...]}`, one
/// response per search in request order, each a search response or
/// `{"error": {...}, "status": N}`.
enum MultiSearchResponse {
    /// The answers in request order, or nil when the body is not a readable
    /// `_msearch` response for `expected` searches.
    static func parse(_ body: [UInt8], expected: Int) -> [SearchAnswer]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let responses = object["responses"] as? [Any], responses.count == expected else { return nil }
        return responses.map(answer)
    }

    private static func answer(_ response: Any) -> SearchAnswer {
        guard let response = response as? [String: Any] else { return .retry("malformed _msearch item") }
        if let error = response["error"] {
            let status = (response["status"] as? NSNumber)?.intValue ?? 500
            let reason = ElasticsearchError.describe(error, status: status)
            return ElasticsearchError.isTransient(status) ? .retry(reason) : .fail(reason)
        }
        guard let hits = (response["hits"] as? [String: Any])?["hits"] as? [Any] else {
            return .retry("malformed _msearch item: no hits.hits")
        }
        guard let top = hits.first as? [String: Any] else { return .noHit }
        var hit: [String: Any] = [:]
        for key in ["_index", "_id", "_score", "_source"] { hit[key] = top[key] ?? NSNull() }
        return .hit(hit)
    }
}

/// Reading Elasticsearch's error objects.
enum ElasticsearchError {
    /// `type: reason` from `{"type", "reason", ...}` (or the text of a plain string error).
    static func describe(_ error: Any, status: Int) -> String {
        if let object = error as? [String: Any] {
            let type = object["type"] as? String ?? "error"
            let reason = object["reason"] as? String ?? ""
            return reason.isEmpty ? "\(type) (HTTP \(status))" : "\(type): \(reason)"
        }
        return "\(error) (HTTP \(status))"
    }

    /// 408, 429 and 5xx are worth asking again; other statuses are final.
    static func isTransient(_ status: Int) -> Bool {
        status == 408 || status == 429 || status >= 500
    }
}
