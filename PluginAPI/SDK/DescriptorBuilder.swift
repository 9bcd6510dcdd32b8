import CSluicePlugin
import Foundation

/// Builds the static `sluice_plugin_descriptor` of an agent type. The
/// descriptor and its strings are allocated once and never freed: the host
/// may read them for as long as the image is loaded, which is forever.
enum DescriptorBuilder {
    static func build<A: SluiceAgent>(_ agent: A.Type, extraCapabilities: Capabilities,
                                      validate: EntrySlots.ValidateHook,
                                      create: EntrySlots.CreateHook) -> UnsafePointer<sluice_plugin_descriptor> {
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
            validate_config: validate,
            create: create,
            open: InstanceHooks.open,
            on_batch: InstanceHooks.onBatch,
            flush: InstanceHooks.flush,
            close: InstanceHooks.close,
            destroy: InstanceHooks.destroy,
            tables: nil,
            on_timer: nil,
            context: nil,
            validate_config_v2: nil,
            create_v2: nil))
        return UnsafePointer(descriptor)
    }
}
