import Foundation

/// Warns once per instance, in the host's log, when an agent produces records
/// without declaring ``Capabilities/produces``: capabilities are declared, not
/// detected, so such an agent advertises only what the SDK adds (`pending`),
/// and `sluice plugins inspect` would say it does not produce.
final class UndeclaredProduceWarning: @unchecked Sendable {
    // @unchecked: `warned` is guarded by `lock`.
    private let agent: String
    private let lock = NSLock()
    private var warned = false

    /// The warning for agent type `A`, or nil when it declares `.produces`.
    static func forAgent<A: SluiceAgent>(_ type: A.Type) -> UndeclaredProduceWarning? {
        A.capabilities.contains(.produces) ? nil : UndeclaredProduceWarning(agent: A.name)
    }

    private init(agent: String) {
        self.agent = agent
    }

    /// Called on every produce; logs through `host` the first time only.
    func produced(through host: HostServices) {
        let first: Bool = lock.withLock {
            defer { warned = true }
            return !warned
        }
        guard first else { return }
        host.log(.warning, "agent \(agent) produces records but its capabilities do not declare .produces: "
                 + "add `static let capabilities: Capabilities = [.produces]` to the agent type, so that its "
                 + "descriptor (and `sluice plugins inspect`) says it produces")
    }
}
