/// The stored form of a `StateCheckpoint`: small, fixed, cheap to write on
/// every `apply` (no JSON encoder on the hot path).
///
/// All integers little-endian:
///
///     UInt8   format version (1)
///     Int64   appliedOffset
///     UInt64  sealSequence
///     UInt32  number of changelog positions, then for each (ordered by table name):
///             UInt32 length of the table name, its UTF-8 bytes, Int64 position
enum StateCheckpointEncoding {
    static let version: UInt8 = 1

    /// The bytes of `checkpoint`.
    static func encode(_ checkpoint: StateCheckpoint) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(21 + checkpoint.changelogPositions.reduce(0) { $0 + 12 + $1.key.utf8.count })
        bytes.append(version)
        append(UInt64(bitPattern: checkpoint.appliedOffset), to: &bytes)
        append(checkpoint.sealSequence, to: &bytes)
        append(UInt32(checkpoint.changelogPositions.count), to: &bytes)
        for (table, position) in checkpoint.changelogPositions.sorted(by: { $0.key < $1.key }) {
            append(UInt32(table.utf8.count), to: &bytes)
            bytes.append(contentsOf: table.utf8)
            append(UInt64(bitPattern: position), to: &bytes)
        }
        return bytes
    }

    /// The checkpoint `bytes` hold, nil when they are not in this form.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> StateCheckpoint? {
        var reader = Reader(bytes: bytes)
        guard reader.byte() == version,
              let applied = reader.integer(UInt64.self),
              let sequence = reader.integer(UInt64.self),
              let count = reader.integer(UInt32.self) else { return nil }
        var positions: [String: Int64] = [:]
        for _ in 0..<count {
            guard let length = reader.integer(UInt32.self),
                  let name = reader.take(Int(length)),
                  let position = reader.integer(UInt64.self) else { return nil }
            positions[String(decoding: name, as: UTF8.self)] = Int64(bitPattern: position)
        }
        guard reader.isAtEnd else { return nil }
        return StateCheckpoint(appliedOffset: Int64(bitPattern: applied), sealSequence: sequence,
                               changelogPositions: positions)
    }

    private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Reads the encoded form front to back; every read is bounds-checked.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func integer<Integer: FixedWidthInteger>(_: Integer.Type) -> Integer? {
            guard let raw = take(MemoryLayout<Integer>.size) else { return nil }
            return Integer(littleEndian: raw.loadUnaligned(as: Integer.self))
        }

        mutating func take(_ count: Int) -> UnsafeRawBufferPointer? {
            guard count >= 0, count <= bytes.count - offset else { return nil }
            defer { offset += count }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
        }
    }
}
