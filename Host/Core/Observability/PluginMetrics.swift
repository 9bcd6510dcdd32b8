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
        let counter = counters.withLock { cache in
            if let existing = cache[name] { return existing }
            let created = Counter(label: label(name), dimensions: [("agent", agent)])
            cache[name] = created
            return created
        }
        counter.increment(by: delta)
    }

    func gauge(_ name: String, set value: Double) {
        let gauge = gauges.withLock { cache in
            if let existing = cache[name] { return existing }
            let created = Gauge(label: label(name), dimensions: [("agent", agent)])
            cache[name] = created
            return created
        }
        gauge.record(value)
    }

    func histogram(_ name: String, record value: Double) {
        let recorder = recorders.withLock { cache in
            if let existing = cache[name] { return existing }
            let created = Recorder(label: label(name), dimensions: [("agent", agent)], aggregate: true)
            cache[name] = created
            return created
        }
        recorder.record(value)
    }

    private func label(_ name: String) -> String {
        // Prometheus names allow [a-zA-Z0-9_:]; anything else becomes '_'.
        let cleaned = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
        return "sluice_plugin_" + cleaned
    }
}
