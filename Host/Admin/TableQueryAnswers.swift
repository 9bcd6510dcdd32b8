import SluiceHost

/// What the table query endpoints answer for what an agent's tables hold:
/// the report, or the error with its status. Pure functions of the lookup,
/// so the status rules (404 vs 409) are decided in one place.
enum TableQueryAnswers {
    /// The answer to `GET /agents/{agent}/tables/{table}/{key}`:
    /// - found: the entry (200);
    /// - unknown table: 404 naming the tables the agent declares;
    /// - absent: 404 naming the partitions this host owns (the key's own
    ///   partition is one of them, so the key has no entry anywhere);
    /// - not owned: 409, because the key's own partition belongs to another
    ///   host, whose state may hold the key: ask that host.
    static func lookup(_ lookup: TableLookup, agent: String, table: String,
                       key: [UInt8]) throws(AdminHTTPError) -> TableLookupReport {
        switch lookup {
        case .found(let value, let partition):
            return TableLookupReport(agent: agent, table: table,
                                     entry: TableEntryReport(key: .key(key), partition: partition, value: .value(value)))
        case .unknownTable(let declared):
            throw unknownTable(table, agent: agent, declared: declared)
        case .absent(let owned):
            throw AdminHTTPError(.notFound, "no entry for key \(TableKeyText.quoted(key)) in table \"\(table)\" of agent "
                                 + "\"\(agent)\": \(ownedText(owned))")
        case .notOwned(let partition, let owned):
            throw AdminHTTPError(.conflict, "key \(TableKeyText.quoted(key)) of table \"\(table)\" belongs to partition "
                                 + "\(partition), which another host owns: ask the host that owns partition \(partition) "
                                 + "of agent \"\(agent)\" (\(ownedText(owned)))")
        }
    }

    /// The answer to `GET /agents/{agent}/tables/{table}` for the entries
    /// `AgentRunner.entries` found when asked for `query.limit + 1` (nil: no
    /// such table, 404 naming `declared`).
    static func listing(_ found: [(key: [UInt8], value: [UInt8], partition: Int32)]?, agent: String, table: String,
                        declared: [String], query: TableListQuery) throws(AdminHTTPError) -> TableEntriesReport {
        guard let found else { throw unknownTable(table, agent: agent, declared: declared) }
        let entries = found.prefix(query.limit).map {
            TableEntryReport(key: .key($0.key), partition: $0.partition, value: .value($0.value))
        }
        return TableEntriesReport(agent: agent, table: table, prefix: .key(query.prefix), limit: query.limit,
                                  entries: Array(entries), truncated: found.count > query.limit)
    }

    /// 404 for a table the agent does not declare.
    static func unknownTable(_ table: String, agent: String, declared: [String]) -> AdminHTTPError {
        let tables = declared.isEmpty ? "it keeps no tables (a stateless agent)"
            : "its tables: " + declared.map { "\"\($0)\"" }.joined(separator: ", ")
        return AdminHTTPError(.notFound, "agent \"\(agent)\" has no table \"\(table)\": \(tables)")
    }

    private static func ownedText(_ owned: [Int32]) -> String {
        owned.isEmpty ? "this host owns none of its partitions now"
            : "this host owns partitions \(TableKeyText.partitions(owned))"
    }
}
