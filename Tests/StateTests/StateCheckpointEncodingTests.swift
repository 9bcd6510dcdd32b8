@testable import SluiceHost
import Testing

/// The stored form of a checkpoint: what it reads back, and what it refuses.
@Suite("StateTests: the checkpoint's stored form")
struct StateCheckpointEncodingTests {
    static let checkpoints = [
        StateCheckpoint.empty,
        StateCheckpoint(appliedOffset: .max, sealSequence: .max, changelogPositions: ["": .min, "a": 0, "ü#1": 42]),
        StateCheckpoint(appliedOffset: .min, sealSequence: 0, changelogPositions: ["counts": -1]),
    ]

    @Test("a checkpoint reads back equal", arguments: checkpoints)
    func roundTrip(checkpoint: StateCheckpoint) {
        let bytes = StateCheckpointEncoding.encode(checkpoint)
        #expect(bytes.first == StateCheckpointEncoding.version)
        #expect(bytes.withUnsafeBytes { StateCheckpointEncoding.decode($0) } == checkpoint)
    }

    @Test("the form is fixed: little-endian fields, positions ordered by table")
    func layout() {
        let bytes = StateCheckpointEncoding.encode(
            StateCheckpoint(appliedOffset: 2, sealSequence: 3, changelogPositions: ["b": 5, "a": 4]))
        #expect(bytes == [1, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
                          1, 0, 0, 0, 0x61, 4, 0, 0, 0, 0, 0, 0, 0,
                          1, 0, 0, 0, 0x62, 5, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("truncated, extended or other-version bytes are refused")
    func refusals() {
        let bytes = StateCheckpointEncoding.encode(
            StateCheckpoint(appliedOffset: 7, sealSequence: 1, changelogPositions: ["t": 9]))
        for length in 0..<bytes.count {
            #expect(Array(bytes[..<length]).withUnsafeBytes { StateCheckpointEncoding.decode($0) } == nil)
        }
        #expect((bytes + [0]).withUnsafeBytes { StateCheckpointEncoding.decode($0) } == nil)
        var otherVersion = bytes
        otherVersion[0] = 2
        #expect(otherVersion.withUnsafeBytes { StateCheckpointEncoding.decode($0) } == nil)
        // A name length past the end.
        var longName = bytes
        longName[21] = 0xff
        #expect(longName.withUnsafeBytes { StateCheckpointEncoding.decode($0) } == nil)
    }
}
