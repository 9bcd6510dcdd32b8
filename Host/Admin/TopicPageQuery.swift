import Hummingbird
import HummingbirdCore

/// The query of `GET /topics/{topic}/messages`: `limit`, and where to start
/// (`partition`, `offset`), as the previous page's `next` says.
struct TopicPageQuery: Sendable, Equatable {
    /// Records per page when the request does not say.
    static let defaultLimit = 100
    /// The most records one page may hold.
    static let maxLimit = 1000
    /// The query parameters this endpoint reads.
    static let parameters = ["limit", "partition", "offset"]

    /// The most records in the page.
    var limit = defaultLimit
    /// The partition to start at.
    var partition: Int32 = 0
    /// The offset in `partition` to start at.
    var offset: Int64 = 0

    /// The defaults: 100 records from the start of partition 0.
    init() {}

    /// Reads `query`; a 400 names a parameter that is unknown, repeated or out of range.
    init(_ query: FlatDictionary<Substring, Substring>) throws(AdminHTTPError) {
        for (name, _) in query where !Self.parameters.contains(String(name)) {
            throw .badRequest("unknown query parameter \"\(name)\": expected \(Self.parameters.joined(separator: ", "))")
        }
        limit = try Self.integer(query, "limit", in: 1...Self.maxLimit) ?? Self.defaultLimit
        partition = try Self.integer(query, "partition", in: 0...Int(Int32.max)).map { Int32($0) } ?? 0
        offset = try Self.integer(query, "offset", in: 0...Int(Int64.max)).map { Int64($0) } ?? 0
    }

    private static func integer(_ query: FlatDictionary<Substring, Substring>, _ name: String,
                                in range: ClosedRange<Int>) throws(AdminHTTPError) -> Int? {
        let values = query[values: Substring(name)]
        guard let text = values.first else { return nil }
        guard values.count == 1 else { throw .badRequest("query parameter \"\(name)\" is given \(values.count) times") }
        guard let value = Int(text), range.contains(value) else {
            let bound = range.upperBound == Int.max ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw .badRequest("query parameter \"\(name)\": expected an integer \(bound), found \"\(text)\"")
        }
        return value
    }
}
