import SluicePluginKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSluicePlugin

/// Checks a descriptor returned by an entry function, reading only what each
/// earlier check proved safe to read, and turns it into a `PluginImage`.
enum PluginDescriptorValidation {
    /// The longest agent name the ABI allows.
    static let maximumNameLength = 64
    /// A NULL-terminated topics array longer than this is treated as unterminated.
    static let maximumTopicCount = 4096

    /// Validates `pointer` (from `file`) in ABI order: magic, struct_size, ABI
    /// major, pointer size, name, required hooks, tables (ABI 1.2), config_schema.
    static func validate(_ pointer: UnsafePointer<sluice_plugin_descriptor>, file: String,
                         privatePath: String, sha256: String) throws(PluginRefusal) -> PluginImage {
        func refuse(_ reason: PluginRefusal.Reason, _ detail: String) -> PluginRefusal {
            PluginRefusal(file: file, reason: reason, detail: detail)
        }
        let raw = UnsafeRawPointer(pointer)
        let alignment = MemoryLayout<sluice_plugin_descriptor>.alignment
        guard Int(bitPattern: raw) % alignment == 0 else {
            throw refuse(.badMagic, "descriptor at misaligned address 0x\(String(Int(bitPattern: raw), radix: 16)) (expected \(alignment)-byte alignment): not a Sluice plugin")
        }
        let magic = raw.load(as: UInt32.self)
        guard magic == SLUICE_PLUGIN_MAGIC else {
            throw refuse(.badMagic, "bad magic \(hex32(magic)) (expected \(hex32(SLUICE_PLUGIN_MAGIC))): not a Sluice plugin")
        }
        let descriptor = PluginDescriptorReference(pointer: pointer)
        let minimumSize = PluginDescriptorReference.v1_0Size
        guard descriptor.structSize >= minimumSize else {
            throw refuse(.descriptorTooSmall, "descriptor struct_size \(descriptor.structSize) is smaller than an ABI 1.0 descriptor (expected at least \(minimumSize) bytes)")
        }
        // From here every v1.0 member is inside the plugin's descriptor.
        let abiMajor = descriptor.member(\.abi_major)!
        guard abiMajor == SLUICE_ABI_MAJOR else {
            throw refuse(.abiMajorMismatch, "descriptor ABI major \(abiMajor), this host speaks ABI major \(SLUICE_ABI_MAJOR) (expected \(SLUICE_ABI_MAJOR))")
        }
        let pointerSize = descriptor.member(\.pointer_size)!
        let hostPointerSize = MemoryLayout<UnsafeRawPointer>.size
        guard Int(pointerSize) == hostPointerSize else {
            throw refuse(.pointerSizeMismatch, "descriptor pointer_size \(pointerSize), this host's pointers are \(hostPointerSize) bytes (expected \(hostPointerSize))")
        }
        let name = try validateName(descriptor.member(\.name)!, refuse: refuse)

        // create_v2 (ABI 1.2) stands in for create: an SDK may ship only the _v2 entry points.
        let hasCreateV2Member = descriptor.member(\.create_v2) != nil
        var missing: [String] = []
        if descriptor.member(\.on_batch)! == nil { missing.append("on_batch") }
        if descriptor.member(\.create)! == nil, (descriptor.member(\.create_v2) ?? nil) == nil {
            missing.append(hasCreateV2Member ? "create (or create_v2)" : "create")
        }
        if descriptor.member(\.destroy)! == nil { missing.append("destroy") }
        if !missing.isEmpty {
            let list = missing.joined(separator: ", ")
            let expected = hasCreateV2Member ? "on_batch, create or create_v2, and destroy" : "on_batch, create and destroy"
            throw refuse(.missingRequiredHook, "required \(missing.count == 1 ? "hook" : "hooks") \(list) \(missing.count == 1 ? "is" : "are") NULL (expected \(expected))")
        }
        let tables = try PluginTableRule.tables(descriptor.member(\.tables) ?? nil, refuse: refuse)

        let configSchema = descriptor.member(\.config_schema)!.map { String(cString: $0) }
        if let configSchema {
            do throws(ConfigSchemaError) {
                _ = try ConfigSchema.parse(configSchema)
            } catch {
                throw refuse(.invalidConfigSchema, "\(error) (expected a JSON Schema object; see docs/plugin-abi.md)")
            }
        }

        return PluginImage(
            name: name,
            version: descriptor.member(\.version)!.map { String(cString: $0) } ?? "",
            summary: descriptor.member(\.description)!.map { String(cString: $0) },
            topics: topics(descriptor.member(\.topics)!),
            capabilities: descriptor.member(\.capabilities)!,
            configSchema: configSchema,
            abiMinor: descriptor.member(\.abi_minor)!,
            descriptorSize: descriptor.structSize,
            sourcePath: file, privatePath: privatePath, sha256: sha256, descriptor: descriptor,
            tables: tables,
            handlesTimers: (descriptor.member(\.on_timer) ?? nil) != nil)
    }

    /// Reads at most 65 bytes of the name, so an unterminated one cannot run away.
    private static func validateName(_ pointer: UnsafePointer<CChar>?,
                                     refuse: (PluginRefusal.Reason, String) -> PluginRefusal) throws(PluginRefusal) -> String {
        let expected = "expected 1-\(maximumNameLength) characters from [a-z0-9_-]"
        guard let pointer else { throw refuse(.invalidName, "agent name is NULL (\(expected))") }
        let length = strnlen(pointer, maximumNameLength + 1)
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        let allowed = bytes.allSatisfy { byte in
            (0x61...0x7a).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x5f || byte == 0x2d
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard length >= 1, length <= maximumNameLength, allowed else {
            let shown = length > maximumNameLength ? "\(String(text.prefix(maximumNameLength)).debugDescription)... (over \(maximumNameLength) bytes)" : text.debugDescription
            throw refuse(.invalidName, "invalid agent name \(shown) (\(expected))")
        }
        return text
    }

    private static func topics(_ array: UnsafePointer<UnsafePointer<CChar>?>?) -> [String] {
        guard let array else { return [] }
        var topics: [String] = []
        var index = 0
        while index < maximumTopicCount, let topic = array[index] {
            topics.append(String(cString: topic))
            index += 1
        }
        return topics
    }

    private static func hex32(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
