import Foundation
import TestSupport

/// The monitoring files under `docs/monitoring/`, and the Prometheus tools
/// (Debian's `prometheus` package) that check them.
enum MonitoringFiles {
    /// The alert rules for what a host exports today.
    static let alerts = RepositoryPaths.path("docs/monitoring/sluice-alerts.yml")
    /// The promtool unit tests of ``alerts``.
    static let alertTests = RepositoryPaths.path("docs/monitoring/sluice-alerts.test.yml")
    /// The state-table rules, waiting for the metric state tables will export.
    static let stateAlerts = RepositoryPaths.path("docs/monitoring/sluice-state-alerts.yml")
    /// The promtool unit tests of ``stateAlerts``.
    static let stateAlertTests = RepositoryPaths.path("docs/monitoring/sluice-state-alerts.test.yml")
    /// The Grafana dashboard.
    static let dashboard = RepositoryPaths.path("docs/monitoring/grafana-dashboard.json")

    /// The rule group of ``stateAlerts``, whose metric no host exports yet.
    static let stateTablesGroup = "sluice-state-tables"
    /// The prefix of the metrics the state-table rules name.
    static let stateTablesMetricPrefix = "sluice_table_restore_"

    /// A tool the tests need is not installed.
    struct ToolMissing: Error, CustomStringConvertible {
        let tool: String
        var description: String {
            "`\(tool)` is not installed (Debian package prometheus): run tools/setup (`sudo tools/setup`) first"
        }
    }

    /// The absolute path of `tool` (`prometheus`, `promtool`) found on PATH or in /usr/bin.
    static func tool(_ tool: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/\(tool)" } + ["/usr/bin/\(tool)"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ToolMissing(tool: tool)
        }
        return found
    }
}
