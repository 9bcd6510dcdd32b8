import CSluicePlugin
import SluiceIsolationWire
#if canImport(Glibc)
import Glibc
#endif

/// Loads a plugin file in the runner and reads its descriptor member by
/// member, only as far as its `struct_size` reaches (as the host does).
enum DescriptorReader {
    /// The plugin's descriptor, or why there is none (with the reason's text).
    static func load(path: String) -> Result<UnsafePointer<sluice_plugin_descriptor>, LoadFailure> {
        // RTLD_NODELETE as in the host: Swift images are never unloaded.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let error = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(LoadFailure(outcome: .loadFailed, detail: "dlopen failed: \(error)"))
        }
        guard let symbol = dlsym(handle, SLUICE_PLUGIN_ENTRY_V1) else {
            let other = (2...9).first { dlsym(handle, "sluice_plugin_entry_v\($0)") != nil }
            let detail = other.map {
                "missing entry symbol \(SLUICE_PLUGIN_ENTRY_V1); it exports sluice_plugin_entry_v\($0), so it speaks Sluice ABI \($0) and this host speaks ABI \(SLUICE_ABI_MAJOR)"
            } ?? "missing entry symbol \(SLUICE_PLUGIN_ENTRY_V1): not a Sluice plugin (expected an exported C function \(SLUICE_PLUGIN_ENTRY_V1))"
            return .failure(LoadFailure(outcome: .missingEntry, detail: detail))
        }
        let entry = unsafeBitCast(symbol, to: sluice_plugin_entry_v1_fn.self)
        guard let descriptor = entry(UInt16(SLUICE_ABI_MAJOR), UInt16(SLUICE_ABI_MINOR)) else {
            return .failure(LoadFailure(outcome: .declinedHost,
                                        detail: "\(SLUICE_PLUGIN_ENTRY_V1)(\(SLUICE_ABI_MAJOR), \(SLUICE_ABI_MINOR)) returned NULL: the plugin declined this host (ABI \(SLUICE_ABI_MAJOR).\(SLUICE_ABI_MINOR))"))
        }
        return .success(descriptor)
    }

    /// A plugin that could not be loaded: what the host reports.
    struct LoadFailure: Error {
        let outcome: DescribeOutcome
        let detail: String
    }

    /// What the host needs to check `descriptor`; reads nothing beyond its
    /// `struct_size`, and no string beyond the limits the host checks.
    static func summary(of descriptor: UnsafePointer<sluice_plugin_descriptor>) -> DescriptorSummary {
        let reader = MemberReader(descriptor)
        var summary = DescriptorSummary()
        let raw = UnsafeRawPointer(descriptor)
        summary.magic = raw.load(as: UInt32.self)
        guard summary.magic == SLUICE_PLUGIN_MAGIC else { return summary }
        summary.structSize = raw.load(fromByteOffset: 4, as: UInt32.self)
        summary.abiMajor = reader[\.abi_major] ?? 0
        summary.abiMinor = reader[\.abi_minor] ?? 0
        summary.pointerSize = reader[\.pointer_size] ?? 0
        if let name = reader[\.name] ?? nil {
            summary.name = Array(UnsafeRawBufferPointer(start: name, count: strnlen(name, 65)))
        }
        summary.version = (reader[\.version] ?? nil).map { String(cString: $0) }
        summary.summary = (reader[\.description] ?? nil).map { String(cString: $0) }
        summary.topics = (reader[\.topics] ?? nil).map { strings($0) }
        summary.capabilities = reader[\.capabilities] ?? 0
        summary.configSchema = (reader[\.config_schema] ?? nil).map { String(cString: $0) }
        var hooks: DescriptorSummary.Hooks = []
        if (reader[\.validate_config] ?? nil) != nil { hooks.insert(.validateConfig) }
        if (reader[\.create] ?? nil) != nil { hooks.insert(.create) }
        if (reader[\.open] ?? nil) != nil { hooks.insert(.open) }
        if (reader[\.on_batch] ?? nil) != nil { hooks.insert(.onBatch) }
        if (reader[\.flush] ?? nil) != nil { hooks.insert(.flush) }
        if (reader[\.close] ?? nil) != nil { hooks.insert(.close) }
        if (reader[\.destroy] ?? nil) != nil { hooks.insert(.destroy) }
        if (reader[\.on_timer] ?? nil) != nil { hooks.insert(.onTimer) }
        if (reader[\.validate_config_v2] ?? nil) != nil { hooks.insert(.validateConfigV2) }
        if (reader[\.create_v2] ?? nil) != nil { hooks.insert(.createV2) }
        summary.hooks = hooks
        summary.tables = (reader[\.tables] ?? nil).map { strings($0) }
        return summary
    }

    /// A NULL-terminated array of C strings, at most 4097 entries (the host refuses more).
    private static func strings(_ array: UnsafePointer<UnsafePointer<CChar>?>) -> [String] {
        var items: [String] = []
        while items.count <= 4096, let item = array[items.count] {
            items.append(String(decoding: UnsafeRawBufferPointer(start: item, count: strnlen(item, 4096)), as: UTF8.self))
        }
        return items
    }
}

/// Reads one descriptor member when the plugin's `struct_size` covers it.
struct MemberReader {
    let descriptor: UnsafePointer<sluice_plugin_descriptor>

    init(_ descriptor: UnsafePointer<sluice_plugin_descriptor>) { self.descriptor = descriptor }

    subscript<Value>(_ keyPath: KeyPath<sluice_plugin_descriptor, Value>) -> Value? {
        let size = Int(UnsafeRawPointer(descriptor).load(fromByteOffset: 4, as: UInt32.self))
        guard let offset = MemoryLayout<sluice_plugin_descriptor>.offset(of: keyPath),
              offset + MemoryLayout<Value>.size <= size else { return nil }
        return UnsafeRawPointer(descriptor).load(fromByteOffset: offset, as: Value.self)
    }
}
