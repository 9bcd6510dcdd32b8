/// A counter reported by the host as `sluice_plugin_<name>{agent="..."}`.
/// Cheap to make; keep one or make it on the spot.
public struct Counter: Sendable {
    /// The metric name (without the `sluice_plugin_` prefix).
    public let name: String
    let host: HostServices

    /// Adds `delta` (default 1).
    public func add(_ delta: Int64 = 1) {
        guard let add = host.api.pointee.counter_add else { return }
        var name = name
        name.withUTF8 { bytes in bytes.withMemoryRebound(to: CChar.self) { add(host.host, $0.baseAddress, $0.count, delta) } }
    }
}

/// A gauge reported by the host as `sluice_plugin_<name>{agent="..."}`.
public struct Gauge: Sendable {
    /// The metric name (without the `sluice_plugin_` prefix).
    public let name: String
    let host: HostServices

    /// Sets the gauge to `value`.
    public func set(_ value: Double) {
        guard let set = host.api.pointee.gauge_set else { return }
        var name = name
        name.withUTF8 { bytes in bytes.withMemoryRebound(to: CChar.self) { set(host.host, $0.baseAddress, $0.count, value) } }
    }
}

/// A histogram reported by the host as `sluice_plugin_<name>{agent="..."}`.
public struct Histogram: Sendable {
    /// The metric name (without the `sluice_plugin_` prefix).
    public let name: String
    let host: HostServices

    /// Records one observation.
    public func record(_ value: Double) {
        guard let record = host.api.pointee.histogram_record else { return }
        var name = name
        name.withUTF8 { bytes in bytes.withMemoryRebound(to: CChar.self) { record(host.host, $0.baseAddress, $0.count, value) } }
    }
}
