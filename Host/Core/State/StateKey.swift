#if canImport(Glibc)
import Glibc
#endif

/// A key of one table: what a partition's state is indexed by.
///
/// Its hash is computed once, when it is made: a state call looks the same
/// key up in several maps (the delivery's staged writes, the decided and
/// cached entries), and a seal and a settle hash every written key again.
/// The stored hash comes from `Hasher` (seeded per process), so keys taken
/// from records cannot be chosen to collide.
struct StateKey: Hashable, Sendable {
    /// The table.
    let table: String
    /// The key's bytes.
    let key: [UInt8]
    /// `Hasher`'s hash of the table and the key's bytes.
    private let storedHash: Int

    init(table: String, key: [UInt8]) {
        self.table = table
        self.key = key
        var hasher = Hasher()
        hasher.combine(table)
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
        storedHash = hasher.finalize()
    }

    /// The same key as `other` (same table and bytes), stored in `key`
    /// without hashing again.
    init(table: String, key: [UInt8], hashedAs other: StateKey) {
        self.table = table
        self.key = key
        storedHash = other.storedHash
    }

    /// Whether this is `table`'s key `bytes`.
    func matches(table: String, key bytes: UnsafeRawBufferPointer) -> Bool {
        key.count == bytes.count && table == self.table
            && key.withUnsafeBytes { own in bytes.isEmpty || memcmp(own.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(storedHash)
    }

    /// What `Dictionary` and `Set` ask for: the stored hash mixed with the
    /// table's seed, without running `Hasher` again on every lookup. The
    /// mix (a multiply and a shift) still spreads the seed over every bit,
    /// so tables of different seeds do not order their keys alike.
    func _rawHashValue(seed: Int) -> Int {
        let mixed = UInt64(bitPattern: Int64(storedHash ^ seed)) &* 0x9E37_79B9_7F4A_7C15
        return Int(bitPattern: UInt(truncatingIfNeeded: mixed ^ (mixed >> 29)))
    }

    static func == (left: StateKey, right: StateKey) -> Bool {
        left.storedHash == right.storedHash && left.key == right.key && left.table == right.table
    }
}

/// A timer of one partition: its clock and the key it was scheduled with.
struct TimerKey: Hashable, Sendable {
    /// A `sluice_timer_clock` value.
    let clock: Int32
    /// The plugin's key.
    let key: [UInt8]

    /// The timer table's key for this timer: the clock byte, then the key.
    var storageKey: [UInt8] { [UInt8(truncatingIfNeeded: clock)] + key }

    /// The timer a timer-table key names; nil for the stream-time entry.
    init?(storageKey: some Collection<UInt8>) {
        guard let first = storageKey.first, first != TimerTable.streamTimeKey[0] else { return nil }
        clock = Int32(first)
        key = Array(storageKey.dropFirst())
    }

    init(clock: Int32, key: [UInt8]) {
        self.clock = clock
        self.key = key
    }
}

/// The host's own table of a stateful agent: its timers and its stream time,
/// kept (and changelogged) like any table so they survive restarts and move
/// with the partition.
enum TimerTable {
    /// The table's name (names starting with `__` are the host's).
    static let name = "__timers"
    /// The key of the partition's stream time (no timer key starts with 0xff).
    static let streamTimeKey: [UInt8] = [0xff]

    /// A due time or stream time as stored: 8 bytes, big-endian.
    static func encode(_ milliseconds: Int64) -> [UInt8] {
        withUnsafeBytes(of: milliseconds.bigEndian) { Array($0) }
    }

    /// The inverse of `encode`; nil for a value of the wrong size.
    static func decode(_ bytes: some Collection<UInt8>) -> Int64? {
        guard bytes.count == 8 else { return nil }
        return bytes.reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }
}

extension Collection where Element == UInt8 {
    /// Unsigned byte order, the order tables are scanned in.
    func precedes(_ other: some Collection<UInt8>) -> Bool {
        lexicographicallyPrecedes(other)
    }
}
