import Foundation

/// The records of a table's changelog topic, and how restore reads them.
///
/// - A **write**: key `0x01` + the table key, value the new value (none for a
///   delete, so compaction drops the key), headers `sluice.owner` and
///   `sluice.seal` (the seal sequence number it belongs to).
/// - A **marker**: key `0x00` (one fixed key, so compaction keeps the latest),
///   value JSON `{"owner":…,"seal":n,"offset":x}`: every write of seal `n` by
///   `owner` is in every table's changelog, and it covers the source records
///   up to offset `x`.
///
/// The prefix byte keeps table keys and the marker apart whatever bytes the
/// keys hold.
enum ChangelogRecord: Equatable {
    /// A table write.
    case write(key: [UInt8], value: [UInt8]?, owner: String, seal: UInt64)
    /// A seal's closing marker.
    case marker(SealMarker)
    /// Not a changelog record (named in the restore's error).
    case unreadable(String)

    static let ownerHeader = "sluice.owner"
    static let sealHeader = "sluice.seal"
    static let writePrefix: UInt8 = 0x01
    static let markerKey: [UInt8] = [0x00]

    /// The changelog topic of `table` of agent `agent` in consumer group `group`.
    static func topic(group: String, agent: String, table: String) -> String {
        "\(group).\(agent).\(table)-changelog"
    }

    /// The record for a write of seal `seal`.
    static func record(for write: StateWrite, topic: String, partition: Int32, owner: String, seal: UInt64) -> OutgoingRecord {
        OutgoingRecord(topic: topic, partition: partition, key: [writePrefix] + write.key, value: write.value,
                       headers: [.init(name: ownerHeader, value: Array(owner.utf8)),
                                 .init(name: sealHeader, value: Array(String(seal).utf8))])
    }

    /// The record for `marker`.
    static func record(for marker: SealMarker, topic: String, partition: Int32) -> OutgoingRecord {
        OutgoingRecord(topic: topic, partition: partition, key: markerKey, value: marker.json, headers: [])
    }

    /// Reads one record of a changelog.
    init(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, header: (String) -> String?) {
        guard let key, let first = key.first else {
            self = .unreadable("a record without a key")
            return
        }
        if first == Self.markerKey[0], key.count == 1 {
            guard let value, let marker = SealMarker(json: value) else {
                self = .unreadable("a seal marker whose value is not {\"owner\",\"seal\",\"offset\"}")
                return
            }
            self = .marker(marker)
        } else if first == Self.writePrefix {
            guard let owner = header(Self.ownerHeader), let seal = header(Self.sealHeader).flatMap(UInt64.init) else {
                self = .unreadable("a write without its \(Self.ownerHeader) and \(Self.sealHeader) headers")
                return
            }
            self = .write(key: Array(key.dropFirst()), value: value.map { Array($0) }, owner: owner, seal: seal)
        } else {
            self = .unreadable("a key starting with byte \(first), neither a write (1) nor a marker (0)")
        }
    }
}

/// The marker closing one seal in a changelog.
struct SealMarker: Equatable, Codable, Sendable {
    /// Who sealed it (one ownership of the partition).
    let owner: String
    /// The seal's sequence number.
    let seal: UInt64
    /// The last source offset it covers.
    let offset: Int64

    var json: [UInt8] {
        Array(#"{"owner":"\#(owner)","seal":\#(seal),"offset":\#(offset)}"#.utf8)
    }

    init(owner: String, seal: UInt64, offset: Int64) {
        self.owner = owner
        self.seal = seal
        self.offset = offset
    }

    init?(json: UnsafeRawBufferPointer) {
        guard let marker = try? JSONDecoder().decode(SealMarker.self, from: Data(json)) else { return nil }
        self = marker
    }
}
