import SluicePluginKit

/// InfluxDB's answer to a ``PriceQuery``: for each statement, the price found
/// (the JSON value exactly as InfluxDB wrote it), none, or an error.
public struct PriceQueryResponse: Sendable {
    /// The outcome of one statement.
    public enum Answer: Sendable, Equatable {
        /// The last value at or before the time, as InfluxDB sent it (number text, string, …).
        case price(JSONValue)
        /// No point at or before the time.
        case missing
        /// InfluxDB reported an error for this statement.
        case error(String)
    }

    /// The answers by statement index; a statement InfluxDB did not answer is an error.
    public let answers: [Answer]

    /// The response is not what InfluxDB's `/query` sends.
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        /// What was wrong.
        public let description: String
    }

    /// Parses the JSON body of `/query` for `statementCount` statements.
    /// A top-level `error` (the whole query failed) throws ``Malformed``
    /// with InfluxDB's message.
    public init(body: [UInt8], statementCount: Int) throws(Malformed) {
        let root: JSONValue
        do { root = try JSONValue.parse(body) } catch {
            throw Malformed(description: "the /query response is not JSON (\(error))")
        }
        if let error = root["error"]?.stringValue { throw Malformed(description: "InfluxDB: \(error)") }
        guard case .array(let results)? = root["results"] else {
            throw Malformed(description: "the /query response has no 'results'")
        }
        var answers = [Answer](repeating: .error("InfluxDB returned no result for this statement"), count: statementCount)
        for (position, result) in results.enumerated() {
            // statement_id is authoritative; the position is the fallback.
            var index = position
            if case .number(let text)? = result["statement_id"], let id = Int(text) { index = id }
            guard answers.indices.contains(index) else { continue }
            if let error = result["error"]?.stringValue {
                answers[index] = .error("InfluxDB: \(error)")
                continue
            }
            answers[index] = Self.answer(from: result["series"])
        }
        self.answers = answers
    }

    /// The first row's value of the `last` column (column 1 when not named).
    private static func answer(from series: JSONValue?) -> Answer {
        guard case .array(let list)? = series, let first = list.first else { return .missing }
        guard case .array(let rows)? = first["values"], case .array(let row)? = rows.first else { return .missing }
        var column = 1
        if case .array(let columns)? = first["columns"],
           let named = columns.firstIndex(where: { $0.stringValue == "last" }) { column = named }
        guard row.indices.contains(column) else { return .missing }
        let value = row[column]
        return value == .null ? .missing : .price(value)
    }
}
