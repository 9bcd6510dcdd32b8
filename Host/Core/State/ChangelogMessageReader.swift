import CSluicePlugin

/// Reads changelog records straight from the messages a replay hands over,
/// without building strings per record: the restore's hot path. Owners are
/// interned to small numbers (a changelog has a handful of them).
struct ChangelogMessageReader {
    /// One record as the restore needs it; a write's bytes are borrowed from
    /// the message (valid while its batch is held).
    enum Entry {
        /// A write of `owner` (interned) in seal `seal`; `value` nil deletes.
        case write(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?, owner: Int, seal: UInt64)
        /// A marker, with its owner interned.
        case marker(SealMarker, owner: Int)
        /// Not a changelog record: what is wrong.
        case unreadable(String)
    }

    private static let ownerName = Array(ChangelogRecord.ownerHeader.utf8)
    private static let sealName = Array(ChangelogRecord.sealHeader.utf8)
    private var owners: [[UInt8]] = []
    private var lastOwner = -1

    /// Reads `message`.
    mutating func read(_ message: sluice_message) -> Entry {
        guard let keyPointer = message.key, message.key_len > 0 else { return .unreadable("a record without a key") }
        let key = UnsafeRawBufferPointer(start: keyPointer, count: message.key_len)
        if key[0] == ChangelogRecord.markerKey[0], key.count == 1 {
            guard let value = message.value,
                  let marker = SealMarker(json: UnsafeRawBufferPointer(start: value, count: message.value_len)) else {
                return .unreadable("a seal marker whose value is not {\"owner\",\"seal\",\"offset\"}")
            }
            return .marker(marker, owner: intern(Array(marker.owner.utf8)))
        }
        guard key[0] == ChangelogRecord.writePrefix else {
            return .unreadable("a key starting with byte \(key[0]), neither a write (1) nor a marker (0)")
        }
        var owner: UnsafeRawBufferPointer?
        var seal: UInt64?
        if let headers = message.headers {
            for index in 0..<message.header_count {
                let header = headers[index]
                guard let name = header.name else { continue }
                let nameBytes = UnsafeRawBufferPointer(start: name, count: header.name_len)
                let value = UnsafeRawBufferPointer(start: header.value, count: header.value == nil ? 0 : header.value_len)
                if nameBytes.elementsEqual(Self.ownerName) {
                    owner = value
                } else if nameBytes.elementsEqual(Self.sealName) {
                    seal = Self.decimal(value)
                }
            }
        }
        guard let owner, let seal else {
            return .unreadable("a write without its \(ChangelogRecord.ownerHeader) and \(ChangelogRecord.sealHeader) headers")
        }
        let value = message.value.map { UnsafeRawBufferPointer(start: $0, count: message.value_len) }
        return .write(key: UnsafeRawBufferPointer(rebasing: key[1...]), value: value, owner: intern(owner), seal: seal)
    }

    /// The number of `owner`, giving it one the first time.
    private mutating func intern(_ owner: some Collection<UInt8>) -> Int {
        if lastOwner >= 0, owners[lastOwner].elementsEqual(owner) { return lastOwner }
        if let known = owners.firstIndex(where: { $0.elementsEqual(owner) }) {
            lastOwner = known
            return known
        }
        owners.append(Array(owner))
        lastOwner = owners.count - 1
        return lastOwner
    }

    /// A non-negative decimal, or nil.
    private static func decimal(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var result: UInt64 = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            result = result * 10 + UInt64(byte - 0x30)
        }
        return result
    }
}
