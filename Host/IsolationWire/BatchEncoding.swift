import CSluicePlugin

/// How a batch's records lie in the shared region (or an inline frame):
///
///     u32 count, u32 reserved
///     count result bytes (preset to OK; the runner writes them), padded to 8
///     per record: i64 offset, i64 timestamp, i32 key length (−1: null),
///                 i32 value length (−1: null), u32 header count,
///                 key, value, then per header: u32 name length, name,
///                 i32 value length (−1: null), value
///
/// Offsets within the batch, never pointers: the two processes map the
/// region at different addresses.
public enum BatchEncoding {
    static let headerSize = 8
    static let recordFixedSize = 28

    /// Where the results start.
    public static let resultsOffset = headerSize

    /// The bytes `messages[range]` take.
    public static func size(of messages: UnsafePointer<sluice_message>, _ range: Range<Int>) -> Int {
        var size = headerSize + padded(range.count)
        for index in range {
            let message = messages[index]
            size += recordFixedSize + (message.key == nil ? 0 : message.key_len)
                + (message.value == nil ? 0 : message.value_len)
            for header in 0..<message.header_count {
                let item = message.headers[header]
                size += 8 + item.name_len + (item.value == nil ? 0 : item.value_len)
            }
        }
        return size
    }

    static func padded(_ count: Int) -> Int { (count + 7) & ~7 }

    /// Writes `messages[range]` at `target` (exactly ``size(of:_:)`` bytes), results preset to OK.
    public static func write(_ messages: UnsafePointer<sluice_message>, _ range: Range<Int>,
                             to target: UnsafeMutableRawPointer) {
        var cursor = target
        func put<T: FixedWidthInteger>(_ value: T) {
            cursor.storeBytes(of: value.littleEndian, as: T.self)
            cursor += MemoryLayout<T>.size
        }
        func copy(_ pointer: UnsafeRawPointer?, _ count: Int) {
            guard let pointer, count > 0 else { return }
            cursor.copyMemory(from: pointer, byteCount: count)
            cursor += count
        }
        put(UInt32(range.count))
        put(UInt32(0))
        cursor.initializeMemory(as: UInt8.self, repeating: UInt8(SLUICE_RESULT_OK.rawValue), count: padded(range.count))
        cursor += padded(range.count)
        for index in range {
            let message = messages[index]
            put(message.offset)
            put(message.timestamp_ms)
            put(message.key == nil ? Int32(-1) : Int32(message.key_len))
            put(message.value == nil ? Int32(-1) : Int32(message.value_len))
            put(UInt32(message.header_count))
            copy(message.key, message.key_len)
            copy(message.value, message.value_len)
            for header in 0..<message.header_count {
                let item = message.headers[header]
                put(UInt32(item.name_len))
                copy(item.name, item.name_len)
                put(item.value == nil ? Int32(-1) : Int32(item.value_len))
                copy(item.value, item.value_len)
            }
        }
    }
}

/// A batch's records read in place from the bytes ``BatchEncoding`` wrote:
/// `sluice_message`s whose pointers point into those bytes, which must stay
/// mapped while the batch is in use.
public final class DecodedBatch: @unchecked Sendable {
    // @unchecked: handed from the runner's reader thread to its worker, then
    // to whichever thread completes it; never used by two at once.
    /// The records.
    public let messages: UnsafeMutablePointer<sluice_message>
    private let headers: UnsafeMutablePointer<sluice_header>
    /// Where the plugin writes its results (in the encoded bytes).
    public let results: UnsafeMutablePointer<UInt8>
    /// How many records.
    public let count: Int

    /// Reads `bytes`; throws when they do not hold a well-formed batch.
    public init(_ bytes: UnsafeMutableRawBufferPointer) throws(WireError) {
        var reader = WireReader(UnsafeRawBufferPointer(bytes))
        let count = Int(try reader.u32())
        _ = try reader.u32()
        guard BatchEncoding.headerSize + BatchEncoding.padded(count) <= bytes.count else {
            throw WireError("batch of \(count) records does not fit its \(bytes.count) bytes")
        }
        let base = UnsafeRawPointer(bytes.baseAddress!)
        let results = bytes.baseAddress!.advanced(by: BatchEncoding.resultsOffset).assumingMemoryBound(to: UInt8.self)
        var records = WireReader(UnsafeRawBufferPointer(rebasing: bytes[(BatchEncoding.headerSize + BatchEncoding.padded(count))...]))
        let recordsStart = base + BatchEncoding.headerSize + BatchEncoding.padded(count)
        let messages = UnsafeMutablePointer<sluice_message>.allocate(capacity: max(count, 1))
        var headerItems: [sluice_header] = []
        var headerStarts: [Int] = []
        headerStarts.reserveCapacity(count)
        do throws(WireError) {
            for index in 0..<count {
                let offset = try records.i64()
                let timestamp = try records.i64()
                let keyLength = try records.i32()
                let valueLength = try records.i32()
                let headerCount = Int(try records.u32())
                let key = keyLength < 0 ? nil : try records.fixed(Int(keyLength), from: recordsStart)
                let value = valueLength < 0 ? nil : try records.fixed(Int(valueLength), from: recordsStart)
                headerStarts.append(headerItems.count)
                for _ in 0..<headerCount {
                    let nameLength = Int(try records.u32())
                    let name = try records.fixed(nameLength, from: recordsStart)
                    let headerValueLength = try records.i32()
                    let headerValue = headerValueLength < 0 ? nil : try records.fixed(Int(headerValueLength), from: recordsStart)
                    headerItems.append(sluice_header(
                        name: name.assumingMemoryBound(to: CChar.self), name_len: nameLength,
                        value: headerValue?.assumingMemoryBound(to: UInt8.self),
                        value_len: headerValueLength < 0 ? 0 : Int(headerValueLength)))
                }
                (messages + index).initialize(to: sluice_message(
                    offset: offset, timestamp_ms: timestamp,
                    key: key?.assumingMemoryBound(to: UInt8.self), key_len: keyLength < 0 ? 0 : Int(keyLength),
                    value: value?.assumingMemoryBound(to: UInt8.self), value_len: valueLength < 0 ? 0 : Int(valueLength),
                    headers: nil, header_count: headerCount))
            }
        } catch {
            messages.deallocate()
            throw error
        }
        let headers = UnsafeMutablePointer<sluice_header>.allocate(capacity: max(headerItems.count, 1))
        headerItems.withUnsafeBufferPointer { items in
            if !items.isEmpty { headers.initialize(from: items.baseAddress!, count: items.count) }
        }
        for index in 0..<count where messages[index].header_count > 0 {
            messages[index].headers = UnsafePointer(headers + headerStarts[index])
        }
        self.messages = messages
        self.headers = headers
        self.results = results
        self.count = count
    }

    deinit {
        messages.deallocate()
        headers.deallocate()
    }
}

extension WireReader {
    /// The next `count` bytes as a pointer into the batch (`start` is where this reader's bytes begin).
    fileprivate mutating func fixed(_ count: Int, from start: UnsafeRawPointer) throws(WireError) -> UnsafeRawPointer {
        let at = offset
        _ = try bytes(count: count)
        return start + at
    }
}
