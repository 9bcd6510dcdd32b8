import Foundation
import SluiceHost
import Testing
import TestSupport

/// What only the RocksDB back end does: files that outlive the store, and the errors of its directory.
@Suite("StateTests: the RocksDB state store")
struct RocksDBStateStoreTests {
    @Test("data, checkpoints and column families survive close and reopen")
    func reopen() throws {
        let directory = try TemporaryDirectory(prefix: "sluice-state")
        defer { directory.remove() }
        let path = directory.file("state/agent")
        let checkpoint = StateCheckpoint(appliedOffset: 120, sealSequence: 3, changelogPositions: ["a": 40, "b": 2])

        let first = try RocksDBStateStore(path: path)
        try first.put("a", 0, [([0x01], [0xa]), ([0xff], [0xb])], checkpoint: checkpoint)
        try first.put("b", 0, [([0x02], [0xc])], checkpoint: checkpoint)
        try first.put("a", 3, [([0x03], [0xd])], checkpoint: .empty)
        try first.put("x#y", 2, [([0x04], [0xe])])
        try first.drop(partition: 2)
        #expect(Set(first.keySpaces) == [StateKeySpace(table: "a", partition: 0), StateKeySpace(table: "b", partition: 0),
                                         StateKeySpace(table: "a", partition: 3)])
        first.close()

        let second = try RocksDBStateStore(path: path)
        defer { second.close() }
        #expect(Set(second.keySpaces) == [StateKeySpace(table: "a", partition: 0), StateKeySpace(table: "b", partition: 0),
                                          StateKeySpace(table: "a", partition: 3)])
        #expect(try second.entries("a", 0) == [Entry([0x01], [0xa]), Entry([0xff], [0xb])])
        #expect(try second.value("b", 0, [0x02]) == [0xc])
        #expect(try second.value("a", 3, [0x03]) == [0xd])
        #expect(try second.checkpoint(partition: 0) == checkpoint)
        #expect(try second.checkpoint(partition: 3) == .empty)
        #expect(try second.checkpoint(partition: 2) == nil)
        #expect(try second.entries("x#y", 2).isEmpty)

        // The recovered column families are the store's own: writes reach them, drop removes them.
        try second.put("a", 0, [([0x05], [0xf])])
        #expect(try second.entries("a", 0).count == 3)
        try second.drop(partition: 0)
        #expect(Set(second.keySpaces) == [StateKeySpace(table: "a", partition: 3)])
        #expect(try second.checkpoint(partition: 0) == nil)
    }

    @Test("a second open of the same directory in this process fails clearly")
    func secondOpenInProcess() throws {
        let directory = try TemporaryDirectory(prefix: "sluice-state")
        defer { directory.remove() }
        let path = directory.file("state/agent")
        let first = try RocksDBStateStore(path: path)
        defer { first.close() }

        let error = #expect(throws: StateStoreError.self) { try RocksDBStateStore(path: path) }
        #expect(error?.description.hasPrefix("state store \(path) is already open in this process (RocksDB: ") == true,
                "\(error?.description ?? "")")
        // The first store is untouched.
        try first.put("t", 0, [([1], [1])])
        #expect(try first.value("t", 0, [1]) == [1])
    }

    @Test("a directory another process holds fails clearly")
    func openHeldByAnotherProcess() async throws {
        let directory = try TemporaryDirectory(prefix: "sluice-state")
        defer { directory.remove() }
        let path = directory.file("state/agent")
        try RocksDBStateStore(path: path).close()

        // A child process takes RocksDB's lock on the database's LOCK file, as a running host's store would.
        let message = try await DedicatedThread.run("state-lock-test") { () throws -> String in
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            holder.arguments = ["python3", "-c", """
                import fcntl, os, sys
                fd = os.open(sys.argv[1], os.O_RDWR)
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                print("locked", flush=True)
                sys.stdin.read()
                """, path + "/LOCK"]
            let input = Pipe()
            let output = Pipe()
            holder.standardInput = input
            holder.standardOutput = output
            try holder.run()
            defer {
                try? input.fileHandleForWriting.close()
                holder.waitUntilExit()
            }
            let ready = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            guard ready.hasPrefix("locked") else { return "the lock holder did not start: \(ready)" }
            do {
                try RocksDBStateStore(path: path).close()
                return "opened"
            } catch {
                return "\(error)"
            }
        }
        #expect(message.hasPrefix("state store \(path) is in use by another process (RocksDB: "), "\(message)")
        // Once the other process is gone, the store opens.
        try RocksDBStateStore(path: path).close()
    }

    @Test("a directory that cannot be created fails clearly")
    func fileInTheWay() throws {
        let directory = try TemporaryDirectory(prefix: "sluice-state")
        defer { directory.remove() }
        let blocker = directory.file("data")
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("not a directory".utf8)))
        let path = blocker + "/state/agent"

        // The file stands where a parent directory must go: the error names the store and the file.
        let error = #expect(throws: StateStoreError.self) { try RocksDBStateStore(path: path) }
        #expect(error?.description.hasPrefix("state store \(path): cannot create directory /") == true)
        #expect(error?.description.hasSuffix("/data: a file that is not a directory is in the way") == true)

        // The file stands where the store's own directory must go.
        let ownError = #expect(throws: StateStoreError.self) { try RocksDBStateStore(path: blocker) }
        #expect(ownError?.description.hasPrefix("state store \(blocker): cannot create directory /") == true)
        #expect(ownError?.description.hasSuffix("/data: a file that is not a directory is in the way") == true)

        // A parent that is not writable.
        let locked = directory.file("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o500])
        if getuid() != 0 {  // root writes anywhere
            let denied = #expect(throws: StateStoreError.self) { try RocksDBStateStore(path: locked + "/agent") }
            #expect(denied?.description.hasSuffix("/locked/agent (Permission denied)") == true, "\(denied?.description ?? "")")
        }
    }
}
