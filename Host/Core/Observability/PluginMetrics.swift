import Metrics
import Synchronization

/// Metrics a plugin reports through the host table, named
/// `sluice_plugin_<name>` with an `agent` dimension. Handles are created once
/// per name and cached, so a plugin counting per batch costs a lookup, not an
/// allocation.
final class PluginMetrics: Sendable {
    private let agent: String
    private let counters = Mutex<[String: Counter]>([:])
    private let gauges = Mutex<[String: Gauge]>([:])
    private let recorders = Mutex<[String: Recorder]>([:])

    init(agent: String) { self.agent = agent }

    func counter(_ name: String, add delta: Int64) {
        handle(name, in: counters) { Counter(label: $0, dimensions: $1) }.increment(by: delta)
    }

    func gauge(_ name: String, set value: Double) {
        handle(name, in: gauges) { Gauge(label: $0, dimensions: $1) }.record(value)
    }

    func histogram(_ name: String, record value: Double) {
        handle(name, in: recorders) { Recorder(label: $0, dimensions: $1, aggregate: true) }.record(value)
    }

    /// The cached handle for `name`, created on first use.
    private func handle<Handle: Sendable>(_ name: String, in cache: borrowing Mutex<[String: Handle]>,
                                          make: (String, [(String, String)]) -> Handle) -> Handle {
        cache.withLock { handles in
            if let existing = handles[name] { return existing }
            let created = make(label(name), [("agent", agent)])
            handles[name] = created
            return created
        }
    }

    private func label(_ name: String) -> String {
        // Prometheus names allow [a-zA-Z0-9_:]; anything else becomes '_'.
        let cleaned = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
        return "sluice_plugin_" + cleaned
    }
}
