import SluiceHost
import Testing

/// Copying conveniences over the borrowing protocol, for assertions.
extension StateStore {
    /// The value of `key`, copied out, or nil.
    func value(_ table: String, _ partition: Int32, _ key: [UInt8]) throws -> [UInt8]? {
        var copy: [UInt8]?
        let found = try key.withUnsafeBytes { key in
            try withValue(table: table, partition: partition, key: key) { copy = Array($0) }
        }
        // withValue's answer and whether it called its body must agree.
        #expect(found == (copy != nil), "withValue's answer and whether it called its body disagree")
        return copy
    }

    /// The entries a scan visits, copied out.
    func entries(_ table: String, _ partition: Int32, from start: [UInt8]? = nil, to end: [UInt8]? = nil,
                 limit: Int = 0) throws -> [Entry] {
        var entries: [Entry] = []
        let visited = try scan(table: table, partition: partition, from: start, to: end, limit: limit) { key, value in
            entries.append(Entry(key: Array(key), value: Array(value)))
            return true
        }
        #expect(visited == entries.count, "scan's count and its visits disagree")
        return entries
    }

    /// Applies puts of `pairs` to `table` of `partition`, with `checkpoint` (by default an empty one).
    func put(_ table: String, _ partition: Int32, _ pairs: [([UInt8], [UInt8])],
             checkpoint: StateCheckpoint = .empty) throws {
        try apply(pairs.map { StateWrite(table: table, key: $0.0, value: $0.1) }, checkpoint: checkpoint,
                  partition: partition)
    }
}

/// One key and value a scan visited.
struct Entry: Equatable, CustomStringConvertible {
    var key: [UInt8]
    var value: [UInt8]

    init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }

    init(_ key: [UInt8], _ value: [UInt8]) {
        self.init(key: key, value: value)
    }

    var description: String { "\(key)=\(value)" }
}
