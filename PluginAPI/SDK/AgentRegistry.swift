import CSluicePlugin
import Foundation

/// The descriptors this image has exported, one per agent type, and the
/// entry slot each uses.
///
/// `validate_config` and `create` receive no instance or context pointer, so a
/// C function pointer cannot tell which agent type it belongs to, and Swift
/// cannot form a C function pointer from a generic context. Each exported type
/// therefore takes one of ``EntrySlots/count`` pre-made pairs of C functions
/// that look their factory up here by slot number.
final class AgentRegistry: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `lock`.
    static let shared = AgentRegistry()

    /// How a slot validates configurations and creates instances.
    struct Factory: Sendable {
        /// Returns nil when valid, else the reason.
        let validate: @Sendable (Data) -> String?
        let create: @Sendable (HostServices, Data) throws -> AgentInstance
    }

    private let lock = NSLock()
    private var descriptors: [ObjectIdentifier: UnsafePointer<sluice_plugin_descriptor>] = [:]
    private var factories: [Factory] = []

    /// The descriptor for `type`, built (and leaked, by design) on first use;
    /// nil when every slot is taken.
    func descriptor<A: SluiceAgent>(for type: A.Type, extraCapabilities: Capabilities,
                                    factory: @autoclosure () -> Factory) -> UnsafePointer<sluice_plugin_descriptor>? {
        lock.lock()
        defer { lock.unlock() }
        if let existing = descriptors[ObjectIdentifier(type)] { return existing }
        let slot = factories.count
        guard slot < EntrySlots.count else { return nil }
        factories.append(factory())
        let made = DescriptorBuilder.build(A.self, extraCapabilities: extraCapabilities,
                                           validate: EntrySlots.validate[slot], create: EntrySlots.create[slot])
        descriptors[ObjectIdentifier(type)] = made
        return made
    }

    /// The factory of slot `slot`.
    func factory(_ slot: Int) -> Factory? {
        lock.lock()
        defer { lock.unlock() }
        return slot < factories.count ? factories[slot] : nil
    }
}
