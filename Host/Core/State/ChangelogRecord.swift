import Foundation

/// The records of a table's changelog topic (`ChangelogMessageReader` reads them back).
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
enum ChangelogRecord {
    static let ownerHeader = "sluice.owner"
    static let sealHeader = "sluice.seal"
    static let writePrefix: UInt8 = 0x01
    static let markerKey: [UInt8] = [0x00]

    /// The changelog topic of `table` of the agent whose consumer group is
    /// `consumerGroup`: `<consumer group>.<table>-changelog`. With the default
    /// consumer group (`<host group>.<agent>`) that is
    /// `<host group>.<agent>.<table>-changelog`; an agent given a group of its
    /// own keeps its changelogs apart with it.
    static func topic(consumerGroup: String, table: String) -> String {
        "\(consumerGroup).\(table)-changelog"
    }

    /// The record for a write of seal `seal`.
    static func record(for write: StateWrite, topic: String, partition: Int32, owner: String, seal: UInt64) -> OutgoingRecord {
        record(for: write, topic: topic, partition: partition, headers: headers(owner: owner, seal: seal))
    }

    /// The headers of every write of one seal (built once, shared by its records).
    static func headers(owner: String, seal: UInt64) -> [OutgoingRecord.Header] {
        [.init(name: ownerHeader, value: Array(owner.utf8)), .init(name: sealHeader, value: Array(String(seal).utf8))]
    }

    /// The record for a write whose seal's `headers` are built already.
    static func record(for write: StateWrite, topic: String, partition: Int32, headers: [OutgoingRecord.Header]) -> OutgoingRecord {
        var key: [UInt8] = []
        key.reserveCapacity(write.key.count + 1)
        key.append(writePrefix)
        key.append(contentsOf: write.key)
        return OutgoingRecord(topic: topic, partition: partition, key: key, value: write.value, headers: headers)
    }

    /// The record for `marker`.
    static func record(for marker: SealMarker, topic: String, partition: Int32) -> OutgoingRecord {
        OutgoingRecord(topic: topic, partition: partition, key: markerKey, value: marker.json, headers: [])
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
