/// The byte layout of the crash journal file (`<data_directory>/quarantine/in-flight`).
///
/// A 64-byte header, then `slotCount` slots of `slotSize` bytes, one per
/// thread that calls plugins (workers, and fetchers that run batches). All
/// integers little-endian (the host's own byte order on every platform it
/// runs on), written in place through a shared memory map.
///
///     header  0  magic "SLUICEQJ"   8  version UInt32   12  slot size UInt32   16  slot count UInt32
///     slot    0  state UInt32 (0 free, 1 in a plugin call)   4  signal Int32 (0: none)
///             8  partition Int32   12  agent length UInt16   14  topic length UInt16
///            16  first offset Int64   24  last offset Int64   32  records UInt32
///            40  agent bytes (128)   168  topic bytes (256)
enum CrashJournalLayout {
    /// The first eight bytes of a journal.
    static let magic: [UInt8] = Array("SLUICEQJ".utf8)
    /// The format version this host writes and reads.
    static let version: UInt32 = 1
    /// Bytes of the header.
    static let headerSize = 64
    /// Bytes of one slot.
    static let slotSize = 512
    /// Slots in a journal.
    static let slotCount = 64
    /// The slots of worker threads, numbered as the threads are: beyond this
    /// many (replacements of threads blocked in a plugin), workers are not
    /// journaled. The rest are lent to agents' fetcher threads that run
    /// batches themselves.
    static let workerSlotCount = 32
    /// Bytes of the whole file.
    static let fileSize = headerSize + slotSize * slotCount

    static let versionOffset = 8
    static let slotSizeOffset = 12
    static let slotCountOffset = 16

    static let stateOffset = 0
    static let signalOffset = 4
    static let partitionOffset = 8
    static let agentLengthOffset = 12
    static let topicLengthOffset = 14
    static let firstOffsetOffset = 16
    static let lastOffsetOffset = 24
    static let recordsOffset = 32
    static let agentOffset = 40
    static let agentCapacity = 128
    static let topicOffset = 168
    static let topicCapacity = 256

    /// A slot no plugin call holds.
    static let stateFree: UInt32 = 0
    /// A slot whose thread is inside `on_batch` or `on_timer`.
    static let stateInCall: UInt32 = 1
}
