/// What a runner read from a plugin's descriptor, sent to the host so the
/// host can check it with the same rules as an in-process plugin without
/// mapping the plugin itself.
public struct DescriptorSummary: Sendable, Equatable {
    /// Which of the descriptor's function pointers are set.
    public struct Hooks: OptionSet, Sendable, Equatable {
        /// One bit per hook, in the order below.
        public let rawValue: UInt32
        /// The hooks whose bits `rawValue` sets.
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        // One per function pointer of the descriptor, named as in sluice_plugin.h.
        public static let validateConfig = Hooks(rawValue: 1 << 0)
        public static let create = Hooks(rawValue: 1 << 1)
        public static let open = Hooks(rawValue: 1 << 2)
        public static let onBatch = Hooks(rawValue: 1 << 3)
        public static let flush = Hooks(rawValue: 1 << 4)
        public static let close = Hooks(rawValue: 1 << 5)
        public static let destroy = Hooks(rawValue: 1 << 6)
        public static let onTimer = Hooks(rawValue: 1 << 7)
        public static let validateConfigV2 = Hooks(rawValue: 1 << 8)
        public static let createV2 = Hooks(rawValue: 1 << 9)
    }

    /// `magic` (SLUICE_PLUGIN_MAGIC in a Sluice plugin); when wrong, nothing else is read.
    public var magic: UInt32 = 0
    /// `struct_size` as the plugin was compiled.
    public var structSize: UInt32 = 0
    /// `abi_major`, `abi_minor` and `pointer_size` as the plugin declares them.
    public var abiMajor: UInt16 = 0
    public var abiMinor: UInt16 = 0
    public var pointerSize: UInt16 = 0
    /// At most 65 bytes of the name (enough to tell a name that is too long); nil for NULL.
    public var name: [UInt8]?
    /// `version` and `description` (nil for NULL).
    public var version: String?
    public var summary: String?
    /// The default input topics; nil for a NULL array.
    public var topics: [String]?
    /// The `SLUICE_CAP_*` bits.
    public var capabilities: UInt64 = 0
    /// `config_schema`, nil for NULL.
    public var configSchema: String?
    /// Which hooks are set.
    public var hooks: Hooks = []
    /// nil for a NULL array (or a descriptor too old to have one).
    public var tables: [String]?

    /// An empty summary, filled by the runner.
    public init() {}

    /// The summary as bytes.
    public func encoded() -> [UInt8] {
        var writer = WireWriter()
        writer.u32(magic)
        writer.u32(structSize)
        writer.u16(abiMajor)
        writer.u16(abiMinor)
        writer.u16(pointerSize)
        writer.optionalData(name)
        writer.optionalString(version)
        writer.optionalString(summary)
        Self.write(topics, to: &writer)
        writer.u64(capabilities)
        writer.optionalString(configSchema)
        writer.u32(hooks.rawValue)
        Self.write(tables, to: &writer)
        return writer.bytes
    }

    /// Reads what ``encoded()`` wrote.
    public static func decode(_ reader: inout WireReader) throws(WireError) -> DescriptorSummary {
        var summary = DescriptorSummary()
        summary.magic = try reader.u32()
        summary.structSize = try reader.u32()
        summary.abiMajor = try reader.u16()
        summary.abiMinor = try reader.u16()
        summary.pointerSize = try reader.u16()
        summary.name = try reader.optionalData().map { Array($0) }
        summary.version = try reader.optionalString()
        summary.summary = try reader.optionalString()
        summary.topics = try readList(&reader)
        summary.capabilities = try reader.u64()
        summary.configSchema = try reader.optionalString()
        summary.hooks = Hooks(rawValue: try reader.u32())
        summary.tables = try readList(&reader)
        return summary
    }

    private static func write(_ list: [String]?, to writer: inout WireWriter) {
        guard let list else { return writer.i32(-1) }
        writer.i32(Int32(list.count))
        for item in list { writer.string(item) }
    }

    private static func readList(_ reader: inout WireReader) throws(WireError) -> [String]? {
        let count = try reader.i32()
        guard count >= 0 else { return nil }
        var list: [String] = []
        for _ in 0..<count { list.append(try reader.string()) }
        return list
    }
}

/// Why a runner could not describe a plugin (the first byte of its answer to `describe`).
public enum DescribeOutcome: UInt8, Sendable {
    /// Described: a ``DescriptorSummary`` follows.
    case described = 0
    /// `dlopen` failed: the reason follows.
    case loadFailed = 1
    /// No entry symbol: the reason follows.
    case missingEntry = 2
    /// The entry function returned NULL: the reason follows.
    case declinedHost = 3
}

/// What one finished batch asked of the host, in order: the operations a
/// `batchDone` frame carries after its status.
public enum WireOperation: UInt8, Sendable {
    /// `string topic, i32 partition, opt key, opt value, u32 n, n × (string name, opt value)`.
    case produce = 1
    /// `u64 index, string reason`.
    case setError = 2
    /// `bytes table, bytes key, opt value` (nil value: delete).
    case statePut = 3
    /// `i32 clock, i64 due, bytes key`.
    case timerSchedule = 4
    /// `i32 clock, bytes key`.
    case timerCancel = 5
}

/// The start of the shared region the runner writes and the host reads:
/// which batches are inside the plugin right now, to blame a crash on the
/// right one when several run at once.
public enum RegionControl {
    /// Bytes reserved at the start of the region for this block.
    public static let size = 4096
    /// Offset of the `u64` wire id of the batch whose thread died of a fatal
    /// signal (stored by the runner's signal handler; 0: none).
    public static let crashedBatch = 0
    /// Offset of the first of ``maximumWorkers`` `u64` slots: the wire id of
    /// the batch each runner worker thread is running in the plugin (0: none).
    public static let runningSlots = 64
    /// The most worker threads a runner runs plugin calls on.
    public static let maximumWorkers = 64
}
