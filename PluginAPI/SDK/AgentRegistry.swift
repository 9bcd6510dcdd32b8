import CSluicePlugin
import Foundation

/// How one exported agent type validates configurations and creates
/// instances: the object behind its descriptor's `context` pointer (retained
/// for the life of the image, like the descriptor).
final class AgentEntry: Sendable {
    /// How the type validates configurations and creates instances.
    struct Factory: Sendable {
        /// Returns nil when valid, else the reason.
        let validate: @Sendable (Data) -> String?
        let create: @Sendable (HostServices, Data) throws -> AgentInstance
    }

    let agentName: String
    let state: StateDeclarations
    let factory: Factory

    init(agentName: String, state: StateDeclarations, factory: Factory) {
        self.agentName = agentName
        self.state = state
        self.factory = factory
    }
}

/// The descriptors this image has exported, one per agent type.
final class AgentRegistry: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `lock`.
    static let shared = AgentRegistry()

    private let lock = NSLock()
    private var descriptors: [ObjectIdentifier: UnsafePointer<sluice_plugin_descriptor>] = [:]

    /// The descriptor for `type`, built (and leaked, by design) on first use.
    func descriptor<A: SluiceAgent>(for type: A.Type, extraCapabilities: Capabilities, state: StateDeclarations,
                                    factory: @autoclosure () -> AgentEntry.Factory) -> UnsafePointer<sluice_plugin_descriptor> {
        lock.lock()
        defer { lock.unlock() }
        if let existing = descriptors[ObjectIdentifier(type)] { return existing }
        let entry = AgentEntry(agentName: A.name, state: state, factory: factory())
        let made = DescriptorBuilder.build(A.self, extraCapabilities: extraCapabilities, state: state,
                                           context: Unmanaged.passRetained(entry).toOpaque())
        descriptors[ObjectIdentifier(type)] = made
        return made
    }
}
