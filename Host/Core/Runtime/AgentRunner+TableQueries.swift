/// What a query of one table key found on this host.
public enum TableLookup: Sendable, Equatable {
    /// The key's value, in the state of `partition`.
    case found(value: [UInt8], partition: Int32)
    /// No partition this host owns has the key, and the key's own partition
    /// (where a record with this key would go) is one of them.
    case absent(owned: [Int32])
    /// No partition this host owns has the key, and a record with this key
    /// would go to `partition`, which another host owns.
    case notOwned(partition: Int32, owned: [Int32])
    /// The agent declares no such table (`declared` lists those it does).
    case unknownTable(declared: [String])
}

extension AgentRunner {
    /// Looks `key` up in `table` across the partitions this host owns (their
    /// decided state: what is sealed, plus what finished batches wrote).
    /// A table key need not be a record key, so every owned partition is asked.
    public func lookUp(table: String, key: [UInt8]) throws -> TableLookup {
        guard let state, state.tables.contains(table) else {
            return .unknownTable(declared: state?.tables ?? [])
        }
        let partitions = state.allPartitions.sorted { $0.partition.partition < $1.partition.partition }
        for partition in partitions {
            if let value = try partition.decidedValue(table: table, key: key) {
                return .found(value: value, partition: partition.partition.partition)
            }
        }
        let owned = partitions.map(\.partition.partition)
        let count = (try? transport.partitionCount(of: topics[0])) ?? nil
        if let count, count > 0 {
            let home = Murmur2Partitioner.partition(forKey: key, partitionCount: Int32(count))
            if !owned.contains(home) { return .notOwned(partition: home, owned: owned) }
        }
        return .absent(owned: owned)
    }

    /// Entries of `table` whose key starts with `prefix`, across the owned
    /// partitions, at most `limit`, in key order per partition (store state:
    /// what is sealed). For operators listing, e.g., a key's windows.
    public func entries(table: String, prefix: [UInt8], limit: Int) throws -> [(key: [UInt8], value: [UInt8], partition: Int32)]? {
        guard let state, state.tables.contains(table) else { return nil }
        var end = prefix
        while let last = end.last, last == 0xff { end.removeLast() }
        if !end.isEmpty { end[end.count - 1] += 1 }
        var found: [(key: [UInt8], value: [UInt8], partition: Int32)] = []
        for partition in state.allPartitions.sorted(by: { $0.partition.partition < $1.partition.partition }) {
            let number = partition.partition.partition
            try state.store.scan(table: table, partition: number, from: prefix, to: end.isEmpty ? nil : end,
                                 limit: max(0, limit - found.count)) { key, value in
                found.append((Array(key), Array(value), number))
                return found.count < limit
            }
            if found.count >= limit { break }
        }
        return found
    }
}
