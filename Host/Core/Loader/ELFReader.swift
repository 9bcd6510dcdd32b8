/// Little- or big-endian integer reads at byte offsets already known to be in bounds.
struct ELFReader {
    let bytes: [UInt8]
    let littleEndian: Bool

    func integer(_ offset: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<width {
            let byte = UInt64(bytes[offset + (littleEndian ? width - 1 - index : index)])
            value = value << 8 | byte
        }
        return value
    }

    func u16(_ offset: Int) -> UInt16 { UInt16(integer(offset, width: 2)) }
    func u32(_ offset: Int) -> UInt32 { UInt32(integer(offset, width: 4)) }
    func u64(_ offset: Int) -> UInt64 { integer(offset, width: 8) }
}

extension ELFReader {
    /// The file bytes of the section called `name`, or nil when the file has
    /// no such section, no section headers, or headers that point outside the
    /// file. Runs after `PluginELFCheck`, so the identification and the
    /// header's class and byte order are already known to match this host.
    func section(named name: String) -> ArraySlice<UInt8>? {
        let is64 = MemoryLayout<UnsafeRawPointer>.size == 8
        let size = UInt64(bytes.count)
        guard size >= (is64 ? 64 : 52) else { return nil }
        let headersOffset = is64 ? u64(40) : UInt64(u32(32))
        let entrySize = UInt64(u16(is64 ? 58 : 46))
        let count = UInt64(u16(is64 ? 60 : 48))
        let namesIndex = UInt64(u16(is64 ? 62 : 50))
        guard headersOffset != 0, count > 0, namesIndex < count, entrySize >= (is64 ? 64 : 40),
              headersOffset <= size, count * entrySize <= size - headersOffset else { return nil }

        // Section header fields: name (u32), then offset and size at class-dependent places.
        func entry(_ index: UInt64) -> (name: UInt64, offset: UInt64, size: UInt64) {
            let at = Int(headersOffset + index * entrySize)
            return is64 ? (UInt64(u32(at)), u64(at + 24), u64(at + 32))
                        : (UInt64(u32(at)), UInt64(u32(at + 16)), UInt64(u32(at + 20)))
        }
        func contents(_ section: (name: UInt64, offset: UInt64, size: UInt64)) -> ArraySlice<UInt8>? {
            guard section.offset <= size, section.size <= size - section.offset else { return nil }
            return bytes[Int(section.offset)..<Int(section.offset + section.size)]
        }
        guard let names = contents(entry(namesIndex)) else { return nil }
        let wanted = Array(name.utf8)
        for index in 1..<count {
            let candidate = entry(index)
            guard candidate.name < UInt64(names.count) else { continue }
            let start = names.startIndex + Int(candidate.name)
            let end = names[start...].firstIndex(of: 0) ?? names.endIndex
            if names[start..<end].elementsEqual(wanted) { return contents(candidate) }
        }
        return nil
    }
}
