import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The crash journal: a small file of fixed slots, one per worker thread,
/// memory-mapped for the life of the process. Before a worker hands a
/// delivery to a plugin it notes (agent, topic, partition, first and last
/// offset) in its slot, and frees the slot when the call returns; the
/// fatal-signal handler adds the signal to the crashing thread's slot. The
/// next start reads what the dead process left (``open(path:)``), then
/// starts a fresh journal. Layout: ``CrashJournalLayout``. Mapped and locked
/// for the life of this object (the worker pool's).
public final class CrashJournal: @unchecked Sendable {
    // @unchecked: the mapping is fixed; each slot is written by its own thread only.

    /// Why a journal file could not be read; the start goes on without it.
    public struct ReadError: Error, CustomStringConvertible, Equatable {
        /// One line naming the file and what is wrong with it.
        public let description: String
    }

    /// What the previous process left in the file.
    public struct Previous: Sendable {
        /// The calls that were in flight when it died (empty after a clean stop).
        public var inFlight: [CrashJournalEntry]
        /// Why the file was not usable (foreign, torn, another version); nil when it was, or there was none.
        public var problem: ReadError?
    }

    /// The file.
    public let path: String
    private let mapping: UnsafeMutableRawPointer
    /// Open while this journal lives: it holds the file's lock.
    private let descriptor: Int32
    /// The slots past the workers' that are not lent now.
    private let spareSlots = Mutex<[Int]>(Array(CrashJournalLayout.workerSlotCount..<CrashJournalLayout.slotCount))

    private init(path: String, mapping: UnsafeMutableRawPointer, descriptor: Int32) {
        self.path = path
        self.mapping = mapping
        self.descriptor = descriptor
    }

    // Only once nothing can write a slot: the worker pool holds its journal, and
    // every running job holds its agent, which holds the pool. The mapping holds
    // the file (and its lock) until it is unmapped.
    deinit {
        munmap(mapping, CrashJournalLayout.fileSize)
        close(descriptor)
    }

    /// Reads what the previous process left in `path`, then starts a fresh,
    /// empty journal there (created with its directory when missing) and maps
    /// it. The file is locked (`flock`) while the journal lives: a second host
    /// on the same data directory is refused the journal instead of wiping
    /// the first one's.
    public static func open(path: String) throws -> (journal: CrashJournal, previous: Previous) {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ReadError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        var handedOver = false
        defer { if !handedOver { close(descriptor) } }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            throw ReadError(description: "\(path) is locked by another host process on the same data directory")
        }
        var previous = Previous(inFlight: [], problem: nil)
        let bytes = try readAll(descriptor, path: path)
        if !bytes.isEmpty {
            do {
                previous.inFlight = try read(bytes, path: path)
            } catch let error as ReadError {
                previous.problem = error
            }
        }
        var fresh = [UInt8](repeating: 0, count: CrashJournalLayout.fileSize)
        writeHeader(into: &fresh)
        let written = fresh.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard written == CrashJournalLayout.fileSize, ftruncate(descriptor, off_t(CrashJournalLayout.fileSize)) == 0 else {
            throw ReadError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let mapped = mmap(nil, CrashJournalLayout.fileSize, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw ReadError(description: "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        handedOver = true
        return (CrashJournal(path: path, mapping: mapped, descriptor: descriptor), previous)
    }

    /// The whole file behind `descriptor`, from its start.
    private static func readAll(_ descriptor: Int32, path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(bytes.count)) }
            guard count >= 0 else { throw ReadError(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            // A journal is 32 KiB: anything far larger is not one, and is not read to its end.
            if bytes.count > 4 * CrashJournalLayout.fileSize { return bytes }
        }
    }

    /// Slot `number` (a worker thread's number), or nil past the workers' slots.
    func slot(_ number: Int) -> CrashJournalSlot? {
        guard number >= 0, number < CrashJournalLayout.workerSlotCount else { return nil }
        return slot(at: number)
    }

    private func slot(at number: Int) -> CrashJournalSlot {
        CrashJournalSlot(base: mapping + CrashJournalLayout.headerSize + number * CrashJournalLayout.slotSize)
    }

    /// Lends one of the slots past the workers' to a thread that is not a
    /// worker but runs batches too (an agent's fetcher, see
    /// ``InlineDispatch``); nil when all are lent. Give it back with
    /// ``returnSpareSlot(_:)``.
    func borrowSpareSlot() -> (number: Int, slot: CrashJournalSlot)? {
        guard let number = spareSlots.withLock({ $0.popLast() }) else { return nil }
        return (number, slot(at: number))
    }

    /// Takes back a slot ``borrowSpareSlot()`` lent (free: its last call has returned).
    func returnSpareSlot(_ number: Int) {
        spareSlots.withLock { $0.append(number) }
    }

    /// The header of a fresh journal, written into the first bytes of `bytes`.
    static func writeHeader(into bytes: inout [UInt8]) {
        typealias Layout = CrashJournalLayout
        bytes.replaceSubrange(0..<Layout.magic.count, with: Layout.magic)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: Layout.version.littleEndian, toByteOffset: Layout.versionOffset, as: UInt32.self)
            raw.storeBytes(of: UInt32(Layout.slotSize).littleEndian, toByteOffset: Layout.slotSizeOffset, as: UInt32.self)
            raw.storeBytes(of: UInt32(Layout.slotCount).littleEndian, toByteOffset: Layout.slotCountOffset, as: UInt32.self)
        }
    }

    /// The calls in flight in a journal's bytes. Throws ``ReadError`` for a
    /// file that is not a journal of this version (foreign, torn, truncated);
    /// a slot whose lengths are out of range is torn too.
    static func read(_ bytes: [UInt8], path: String) throws -> [CrashJournalEntry] {
        typealias Layout = CrashJournalLayout
        guard bytes.count >= Layout.headerSize, Array(bytes[0..<Layout.magic.count]) == Layout.magic else {
            throw ReadError(description: "\(path) is not a crash journal (no SLUICEQJ header); ignored")
        }
        return try bytes.withUnsafeBytes { raw -> [CrashJournalEntry] in
            func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
            let version = u32(Layout.versionOffset), slotSize = Int(u32(Layout.slotSizeOffset))
            let slotCount = Int(u32(Layout.slotCountOffset))
            guard version == Layout.version, slotSize == Layout.slotSize, slotCount == Layout.slotCount else {
                throw ReadError(description: "\(path) is a crash journal of another format (version \(version), "
                                + "\(slotSize)-byte slots × \(slotCount)); ignored")
            }
            guard raw.count == Layout.fileSize else {
                throw ReadError(description: "\(path) is torn: \(raw.count) bytes, expected \(Layout.fileSize); ignored")
            }
            var entries: [CrashJournalEntry] = []
            for number in 0..<slotCount {
                let base = Layout.headerSize + number * slotSize
                func load<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T {
                    T(littleEndian: raw.loadUnaligned(fromByteOffset: base + offset, as: T.self))
                }
                guard load(Layout.stateOffset, UInt32.self) == Layout.stateInCall else { continue }
                let agentLength = Int(load(Layout.agentLengthOffset, UInt16.self))
                let topicLength = Int(load(Layout.topicLengthOffset, UInt16.self))
                let first = load(Layout.firstOffsetOffset, Int64.self), last = load(Layout.lastOffsetOffset, Int64.self)
                guard agentLength <= Layout.agentCapacity, topicLength <= Layout.topicCapacity, first <= last else {
                    throw ReadError(description: "\(path) is torn: slot \(number) holds lengths or offsets out of range; ignored")
                }
                let agent = String(decoding: raw[(base + Layout.agentOffset)..<(base + Layout.agentOffset + agentLength)], as: UTF8.self)
                let topic = String(decoding: raw[(base + Layout.topicOffset)..<(base + Layout.topicOffset + topicLength)], as: UTF8.self)
                entries.append(CrashJournalEntry(
                    agent: agent, topic: topic, partition: load(Layout.partitionOffset, Int32.self),
                    firstOffset: first, lastOffset: last, records: Int(load(Layout.recordsOffset, UInt32.self)),
                    signal: load(Layout.signalOffset, Int32.self)))
            }
            return entries
        }
    }
}
