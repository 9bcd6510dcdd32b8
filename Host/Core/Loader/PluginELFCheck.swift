/// Checks that a file's bytes are a complete ELF shared object for this
/// process before `dlopen` sees them, so a text file, an executable or a cut
/// copy gets a clear refusal instead of a loader error (or a crash).
enum PluginELFCheck {
    private static let elfTypeNames: [UInt16: String] = [
        0: "an ELF file of no type (ET_NONE)", 1: "an ELF relocatable object (ET_REL)",
        2: "an ELF executable (ET_EXEC)", 4: "an ELF core dump (ET_CORE)",
    ]

    #if arch(x86_64)
    private static let hostMachine: UInt16? = 62
    #elseif arch(arm64)
    private static let hostMachine: UInt16? = 183
    #elseif arch(i386)
    private static let hostMachine: UInt16? = 3
    #elseif arch(arm)
    private static let hostMachine: UInt16? = 40
    #else
    private static let hostMachine: UInt16? = nil
    #endif

    private static let expected = "expected a shared object built with -shared"

    /// Refuses `bytes` (the content of `file`) unless they form a complete ELF
    /// shared object of this process's class, byte order and machine.
    static func check(_ bytes: [UInt8], file: String) throws(PluginRefusal) {
        func refuse(_ reason: PluginRefusal.Reason, _ detail: String) -> PluginRefusal {
            PluginRefusal(file: file, reason: reason, detail: detail)
        }
        let size = UInt64(bytes.count)
        guard bytes.count >= 4, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else {
            throw refuse(.notSharedObject, "not an ELF file (no \\x7fELF signature); \(expected)")
        }
        guard bytes.count >= 16 else {
            throw refuse(.truncated, "truncated: \(size) bytes, shorter than an ELF identification (16 bytes)")
        }
        let is64 = MemoryLayout<UnsafeRawPointer>.size == 8
        let hostBits = is64 ? 64 : 32
        switch bytes[4] {
        case 1, 2:
            let bits = bytes[4] == 2 ? 64 : 32
            guard bits == hostBits else {
                throw refuse(.notSharedObject, "a \(bits)-bit ELF file; this host loads \(hostBits)-bit shared objects")
            }
        default:
            throw refuse(.notSharedObject, "unknown ELF class \(bytes[4]); \(expected)")
        }
        let littleEndian = 1.littleEndian == 1
        guard bytes[5] == (littleEndian ? 1 : 2) else {
            throw refuse(.notSharedObject, "ELF byte order does not match this host (\(littleEndian ? "little" : "big")-endian); \(expected)")
        }
        let headerSize: UInt64 = is64 ? 64 : 52
        guard size >= headerSize else {
            throw refuse(.truncated, "truncated: \(size) bytes, shorter than an ELF header (\(headerSize) bytes)")
        }
        let reader = ELFReader(bytes: bytes, littleEndian: littleEndian)
        let type = reader.u16(16)
        guard type == 3 else {
            throw refuse(.notSharedObject, "\(elfTypeNames[type] ?? "an ELF file of type \(type)"); \(expected)")
        }
        let machine = reader.u16(18)
        if let hostMachine, machine != hostMachine {
            throw refuse(.notSharedObject, "built for ELF machine \(machine); this host is ELF machine \(hostMachine)")
        }

        let programOffset = is64 ? reader.u64(32) : UInt64(reader.u32(28))
        let sectionOffset = is64 ? reader.u64(40) : UInt64(reader.u32(32))
        let programEntrySize = UInt64(reader.u16(is64 ? 54 : 42))
        let programCount = UInt64(reader.u16(is64 ? 56 : 44))
        let sectionEntrySize = UInt64(reader.u16(is64 ? 58 : 46))
        let sectionCount = UInt64(reader.u16(is64 ? 60 : 48))
        let minimumProgramEntry: UInt64 = is64 ? 56 : 32

        guard programCount > 0, programEntrySize >= minimumProgramEntry else {
            throw refuse(.notSharedObject, "an ELF file without program headers; \(expected)")
        }
        let programEnd = programOffset.addingReportingOverflow(programCount * programEntrySize)
        guard !programEnd.overflow, programEnd.partialValue <= size else {
            throw refuse(.truncated, "truncated: program headers end at byte \(programEnd.partialValue), file has \(size) bytes (expected a complete shared object)")
        }

        var loadSegments: [(index: UInt64, end: UInt64)] = []
        for index in 0..<programCount {
            let entry = Int(programOffset + index * programEntrySize)
            let kind = reader.u32(entry)
            // PIE executables are ET_DYN too; only an executable asks for a program interpreter.
            if kind == 3 {
                throw refuse(.notSharedObject, "an executable (it names a program interpreter); \(expected)")
            }
            if kind == 1 {
                let offset = is64 ? reader.u64(entry + 8) : UInt64(reader.u32(entry + 4))
                let fileSize = is64 ? reader.u64(entry + 32) : UInt64(reader.u32(entry + 16))
                let end = offset.addingReportingOverflow(fileSize)
                loadSegments.append((index, end.overflow ? .max : end.partialValue))
            }
        }

        // Section headers sit at the end of a linked object: the first thing a cut copy loses.
        if sectionOffset != 0 {
            let count = max(sectionCount, 1)  // 0 means "extended numbering": at least entry 0 exists
            let sectionEnd = sectionOffset.addingReportingOverflow(count * sectionEntrySize)
            guard !sectionEnd.overflow, sectionEnd.partialValue <= size else {
                throw refuse(.truncated, "truncated: section headers end at byte \(sectionEnd.partialValue), file has \(size) bytes (expected a complete shared object)")
            }
        }
        for segment in loadSegments where segment.end > size {
            throw refuse(.truncated, "truncated: loadable segment \(segment.index) ends at byte \(segment.end), file has \(size) bytes (expected a complete shared object)")
        }
    }
}
