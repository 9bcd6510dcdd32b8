/// The query of `GET /agents/{name}/tables/{table}`: `prefix` (bytes,
/// percent-encoded) and `limit`.
struct TableListQuery: Sendable, Equatable {
    /// Entries per listing when the request does not say.
    static let defaultLimit = 100
    /// The most entries one listing may hold.
    static let maxLimit = 1000
    /// The query parameters this endpoint reads.
    static let parameters = ["prefix", "limit"]

    /// The bytes every listed key starts with (empty: every key).
    var prefix: [UInt8] = []
    /// The most entries to list.
    var limit = defaultLimit

    /// Reads the raw query string (`prefix=a%01b&limit=10`); a 400 names a
    /// parameter that is unknown, repeated, badly encoded or out of range.
    /// The raw string, not Hummingbird's decoded parameters: a prefix is
    /// bytes and need not be UTF-8.
    init(rawQuery: String?) throws(AdminHTTPError) {
        var seen: Set<String> = []
        for pair in (rawQuery ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = parts[0], rawValue = parts.count > 1 ? parts[1] : ""
            let name = PercentDecoding.bytes(rawName, plusIsSpace: true).map { String(decoding: $0, as: UTF8.self) } ?? String(rawName)
            guard Self.parameters.contains(name) else {
                throw .badRequest("unknown query parameter \"\(name)\": expected \(Self.parameters.joined(separator: ", "))")
            }
            guard seen.insert(name).inserted else { throw .badRequest("query parameter \"\(name)\" is given more than once") }
            guard let value = PercentDecoding.bytes(rawValue, plusIsSpace: true) else {
                throw .badRequest("query parameter \"\(name)\": malformed percent-encoding (a % must be followed by two hex digits)")
            }
            switch name {
            case "prefix":
                prefix = value
            default:
                let text = String(decoding: value, as: UTF8.self)
                guard let number = Int(text), (1...Self.maxLimit).contains(number) else {
                    throw .badRequest("query parameter \"limit\": expected an integer from 1 to \(Self.maxLimit), found \"\(text)\"")
                }
                limit = number
            }
        }
    }
}
