import CSluicePlugin
import Foundation

/// Builds the static `sluice_plugin_descriptor` of an agent type. The
/// descriptor and its strings are allocated once and never freed: the host
/// may read them for as long as the image is loaded, which is forever.
enum DescriptorBuilder {
    ///
    /// The v1 `validate_config` and `create` stay NULL: `validate_config_v2`
    /// and `create_v2` receive `context` (the type's ``AgentEntry``), which a
    /// C function pointer made from Swift cannot otherwise carry.
    static func build<A: SluiceAgent>(_ agent: A.Type, extraCapabilities: Capabilities, state: StateDeclarations,
                                      context: UnsafeMutableRawPointer) -> UnsafePointer<sluice_plugin_descriptor> {
        var tables: UnsafePointer<UnsafePointer<CChar>?>?
        if !state.tableNames.isEmpty {
            let names = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: state.tableNames.count + 1)
            for (index, name) in state.tableNames.enumerated() { names[index] = UnsafePointer(strdup(name)) }
            names[state.tableNames.count] = nil
            tables = UnsafePointer(names)
        }

        let topics = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: A.topics.count + 1)
        for (index, topic) in A.topics.enumerated() { topics[index] = UnsafePointer(strdup(topic)) }
        topics[A.topics.count] = nil

        let descriptor = UnsafeMutablePointer<sluice_plugin_descriptor>.allocate(capacity: 1)
        descriptor.initialize(to: sluice_plugin_descriptor(
            magic: SLUICE_PLUGIN_MAGIC,
            struct_size: UInt32(MemoryLayout<sluice_plugin_descriptor>.size),
            abi_major: UInt16(SLUICE_ABI_MAJOR),
            abi_minor: UInt16(SLUICE_ABI_MINOR),
            pointer_size: UInt16(MemoryLayout<UnsafeRawPointer>.size),
            reserved: 0,
            name: UnsafePointer(strdup(A.name)),
            version: UnsafePointer(strdup(A.version)),
            description: A.summary.map { UnsafePointer(strdup($0)) },
            topics: UnsafePointer(topics),
            capabilities: A.capabilities.union(extraCapabilities).rawValue,
            config_schema: A.configurationSchema.map { UnsafePointer(strdup($0)) },
            validate_config: nil,
            create: nil,
            open: InstanceHooks.open,
            on_batch: InstanceHooks.onBatch,
            flush: InstanceHooks.flush,
            close: InstanceHooks.close,
            destroy: InstanceHooks.destroy,
            tables: tables,
            on_timer: state.handlesTimers ? InstanceHooks.onTimer : nil,
            context: context,
            validate_config_v2: EntryPoints.validate,
            create_v2: EntryPoints.create))
        return UnsafePointer(descriptor)
    }
}
