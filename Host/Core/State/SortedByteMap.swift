/// A map of byte-string keys to byte-string values kept in unsigned byte
/// order: two parallel sorted arrays searched by bisection.
///
/// A value type: a scan iterates a copy taken under the store's lock (a
/// reference-count increment), so the visitor may call the store. The next
/// write to the shared map then copies its arrays once.
struct SortedByteMap: Sendable {
    private(set) var keys: [[UInt8]] = []
    private(set) var values: [[UInt8]] = []

    /// How many entries the map holds.
    var count: Int { keys.count }

    var isEmpty: Bool { keys.isEmpty }

    /// The index of the first key `>= key` (`count` when there is none).
    func firstIndex(notBefore key: UnsafeRawBufferPointer) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            let before = keys[middle].withUnsafeBytes { UnsignedByteOrder.compare($0, key) < 0 }
            if before { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The index of `key`, if the map holds it.
    func index(of key: UnsafeRawBufferPointer) -> Int? {
        let index = firstIndex(notBefore: key)
        guard index < keys.count,
              keys[index].withUnsafeBytes({ UnsignedByteOrder.compare($0, key) == 0 }) else { return nil }
        return index
    }

    /// The value of `key`, if any (shares the stored array's buffer).
    func value(of key: UnsafeRawBufferPointer) -> [UInt8]? {
        index(of: key).map { values[$0] }
    }

    /// Sets `key` to `value`, or deletes it when `value` is nil.
    mutating func set(_ key: [UInt8], to value: [UInt8]?) {
        let index = key.withUnsafeBytes { firstIndex(notBefore: $0) }
        let present = index < keys.count && keys[index] == key
        switch (value, present) {
        case let (value?, true): values[index] = value
        case let (value?, false):
            keys.insert(key, at: index)
            values.insert(value, at: index)
        case (nil, true):
            keys.remove(at: index)
            values.remove(at: index)
        case (nil, false): break
        }
    }
}
