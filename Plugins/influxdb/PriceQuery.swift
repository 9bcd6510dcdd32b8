import SluicePluginKit

/// The price lookups of one batch as one InfluxQL request: one `SELECT last(…)`
/// statement per distinct (symbol, time), separated by `;`, with the symbol
/// and the time as bound parameters (`$symbol0`, `$time0`, …), never pasted
/// into the text. InfluxDB answers with one result per `statement_id`.
public struct PriceQuery: Sendable {
    /// One lookup: the price of `symbol` at or before `time`.
    public struct Lookup: Hashable, Sendable {
        /// The symbol (any text: it is a bound parameter).
        public let symbol: String
        /// The order's time.
        public let time: Timestamp
        /// A lookup.
        public init(symbol: String, time: Timestamp) {
            self.symbol = symbol
            self.time = time
        }
    }

    /// The distinct lookups, in statement order.
    public private(set) var lookups: [Lookup] = []
    private var statementOf: [Lookup: Int] = [:]

    /// The measurement queried (qualified by `retentionPolicy` when set).
    public let measurement: String
    /// The price field.
    public let field: String
    /// The symbol tag.
    public let tag: String
    /// A retention policy, or nil.
    public let retentionPolicy: String?

    /// An empty query on `measurement`'s `field`, filtered by `tag`.
    public init(measurement: String, field: String, tag: String, retentionPolicy: String? = nil) {
        self.measurement = measurement
        self.field = field
        self.tag = tag
        self.retentionPolicy = retentionPolicy
    }

    /// Adds a lookup (or finds the identical one) and returns its statement index.
    public mutating func add(_ lookup: Lookup) -> Int {
        if let index = statementOf[lookup] { return index }
        lookups.append(lookup)
        statementOf[lookup] = lookups.count - 1
        return lookups.count - 1
    }

    /// True when there is nothing to ask.
    public var isEmpty: Bool { lookups.isEmpty }

    /// The statement text for index `index` (only identifiers and parameter names in it).
    public func statement(_ index: Int) -> String {
        let source = (retentionPolicy.map { InfluxQL.quoteIdentifier($0) + "." } ?? "") + InfluxQL.quoteIdentifier(measurement)
        return "SELECT last(\(InfluxQL.quoteIdentifier(field))) FROM \(source) WHERE \(InfluxQL.quoteIdentifier(tag)) = $symbol\(index) AND time <= $time\(index)"
    }

    /// The `q` parameter: every statement, `;`-separated.
    public var text: String {
        lookups.indices.map(statement).joined(separator: "; ")
    }

    /// The `params` parameter: a JSON object binding `symbolN` and `timeN`
    /// (an RFC 3339 string, which InfluxDB compares as a time).
    public var parameters: String {
        var out = "{"
        for (index, lookup) in lookups.enumerated() {
            if index > 0 { out += "," }
            out += "\"symbol\(index)\":" + JSONValue.quoted(lookup.symbol)
            out += ",\"time\(index)\":" + JSONValue.quoted(lookup.time.rfc3339)
        }
        return out + "}"
    }
}
