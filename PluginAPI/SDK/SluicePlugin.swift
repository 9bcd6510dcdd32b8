import CSluicePlugin
import Foundation

/// Exports an agent type as a Sluice plugin.
///
/// The entry symbol must live in the plugin's own module, so each plugin
/// writes one declaration (Swift 6.3's `@c`; `@_cdecl("…")` on older compilers):
///
/// ```swift
/// @c(sluice_plugin_entry_v1)
/// public func sluicePluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
///     SluicePlugin.export(MyAgent.self, major, minor)
/// }
/// ```
public enum SluicePlugin {
    /// The descriptor of a typed, `async` ``Agent``: built once, then the same
    /// pointer on every call. Returns nil (declining the host) when the host
    /// speaks another ABI major.
    @inlinable // the per-record loop is compiled here, in the agent's module, for `A`
    public static func export<A: Agent>(_ agent: A.Type, _ hostMajor: UInt16, _ hostMinor: UInt16) -> UnsafeRawPointer? {
        export(A.self, hostMajor, hostMinor, records: { batch, agent, decoder, keys, context, tracksStreamTime in
            await TypedRecordLoop<A>.run(batch, agent: agent, decoder: decoder, keys: keys, context: context,
                                         tracksStreamTime: tracksStreamTime)
        })
    }

    /// The descriptor of a typed ``Agent`` whose records `records` handles.
    @usableFromInline
    static func export<A: Agent>(_ agent: A.Type, _ hostMajor: UInt16, _ hostMinor: UInt16,
                                 records: @escaping TypedRecordLoop<A>.Body) -> UnsafeRawPointer? {
        guard hostMajor == SLUICE_ABI_MAJOR else { return nil }
        let descriptor = AgentRegistry.shared.descriptor(for: A.self, extraCapabilities: .pending, state: StateDeclarations(A.self), factory: .init(
            validate: { json in validate(A.self, json) },
            create: { host, json in
                let host = host.forAgent(A.self)
                let configuration = try ConfigurationLoader.load(A.self, from: json)
                let agent = try A(configuration: configuration, host: host)
                let executor = try InstanceExecutor.start(name: AsyncAgentInstance<A>.threadName)
                let state = StateDeclarations(A.self).stateUse == nil ? nil : AgentStateRuntime(agent: agent)
                return AsyncAgentInstance(agent: agent, host: host, executor: executor, state: state, records: records)
            }))
        return UnsafeRawPointer(descriptor)
    }

    /// The descriptor of a synchronous, zero-copy ``BatchAgent`` (see
    /// the `Agent` overload for the rules).
    public static func export<A: BatchAgent>(_ agent: A.Type, _ hostMajor: UInt16, _ hostMinor: UInt16) -> UnsafeRawPointer? {
        guard hostMajor == SLUICE_ABI_MAJOR else { return nil }
        let descriptor = AgentRegistry.shared.descriptor(for: A.self, extraCapabilities: [], state: .none, factory: .init(
            validate: { json in validate(A.self, json) },
            create: { host, json in
                let host = host.forAgent(A.self)
                let configuration = try ConfigurationLoader.load(A.self, from: json)
                return BatchAgentInstance(agent: try A(configuration: configuration, host: host), host: host)
            }))
        return UnsafeRawPointer(descriptor)
    }

    private static func validate<A: SluiceAgent>(_ agent: A.Type, _ json: Data) -> String? {
        do {
            _ = try ConfigurationLoader.load(A.self, from: json)
            return nil
        } catch {
            return error.description
        }
    }
}
