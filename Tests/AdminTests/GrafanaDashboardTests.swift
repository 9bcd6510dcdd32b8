import Foundation
import Testing
import TestSupport

/// `docs/monitoring/grafana-dashboard.json`: valid JSON Grafana can import,
/// a data source variable, and a panel for each thing operators watch. (That
/// each query runs on Prometheus against a live host: PrometheusScrapeTests.)
@Suite("Grafana dashboard")
struct GrafanaDashboardTests {
    @Test("the dashboard parses, picks its Prometheus data source from a variable, and every panel uses it")
    func dataSourceVariable() throws {
        let dashboard = try GrafanaDashboard.load()
        #expect(dashboard.json["uid"] as? String == "sluice-overview")
        #expect((dashboard.json["title"] as? String)?.isEmpty == false)
        let source = try #require(dashboard.variables.first { $0["type"] as? String == "datasource" })
        #expect(source["name"] as? String == "datasource")
        #expect(source["query"] as? String == "prometheus")
        for panel in dashboard.panels where panel["type"] as? String != "row" {
            let title = panel["title"] as? String ?? "?"
            #expect((panel["datasource"] as? [String: String])?["uid"] == "${datasource}", "\(title)")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(title) has no query")
            for target in targets {
                #expect((target["datasource"] as? [String: String])?["uid"] == "${datasource}", "\(title)")
                #expect((target["expr"] as? String)?.isEmpty == false, "\(title)")
            }
        }
        for variable in dashboard.variables where variable["type"] as? String == "query" {
            #expect((variable["datasource"] as? [String: String])?["uid"] == "${datasource}", "\(variable["name"] ?? "?")")
        }
        #expect(dashboard.labelVariables.map(\.name).sorted() == ["agent", "instance"])
    }

    @Test("panels for throughput, lag, in flight, commit age, dead letters, retries, agent states and reloads; ids unique")
    func panelsCoverWhatOperatorsWatch() throws {
        let dashboard = try GrafanaDashboard.load()
        let metricsShown = Set(dashboard.targets.flatMap { PromQLMetricNames.of($0.expression) })
        for metric in [
            "sluice_records_processed_total", "sluice_consumer_lag", "sluice_records_in_flight",
            "sluice_last_commit_timestamp_seconds", "sluice_records_dead_lettered_total", "sluice_records_retried_total",
            "sluice_agent_state", "sluice_reloads_total", "sluice_plugins_refused", "sluice_batch_duration_seconds_bucket",
        ] {
            #expect(metricsShown.contains(metric), "no panel shows \(metric)")
        }
        // Throughput and friends are per agent.
        let perAgent = dashboard.targets.filter { $0.expression.contains("sluice_records_processed_total") }
        #expect(!perAgent.isEmpty && perAgent.allSatisfy { $0.expression.contains("by (agent)") && $0.expression.contains("$agent") })
        let ids = dashboard.panels.compactMap { $0["id"] as? Int }
        #expect(ids.count == dashboard.panels.count && Set(ids).count == ids.count, "panel ids: \(ids)")
    }
}
