/// The JSON media types the admin API reads request bodies in.
///
/// None of them is one a web page may send across sites without a CORS
/// preflight (those are `text/plain`, `application/x-www-form-urlencoded` and
/// `multipart/form-data`), so requiring one on every POST keeps simple
/// cross-site form posts out.
enum RecordMediaType: Sendable, Equatable {
    /// One JSON record, or a JSON array of records.
    case json
    /// One JSON record per line.
    case ndjson

    /// What the error messages call the accepted types.
    static let expected = "application/json or application/x-ndjson"

    /// The type a `Content-Type` value names (parameters such as `charset`
    /// ignored); nil when absent or not a JSON type.
    init?(contentType: String?) {
        guard let contentType,
              let essence = contentType.split(separator: ";", omittingEmptySubsequences: false).first else { return nil }
        switch essence.trimmingCharacters(in: .whitespaces).lowercased() {
        case "application/json", "text/json": self = .json
        case "application/x-ndjson", "application/jsonl", "application/jsonlines": self = .ndjson
        default: return nil
        }
    }
}
