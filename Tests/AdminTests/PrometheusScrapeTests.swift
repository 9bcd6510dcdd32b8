import Foundation
import Testing
import TestSupport

/// A real `prometheus` server (Debian's package) scraping a running host with
/// its bearer token: the query API reports what the host did, the alert rules
/// evaluate on live data, and every dashboard query runs.
@Suite("Prometheus scraping a host")
struct PrometheusScrapeTests {
    @Test("Prometheus' query API reports sluice_records_processed_total equal to the records processed")
    func processedCountScraped() async throws {
        try await ScrapedHost.run(records: 300) { scraped in
            let processed = try #require(scraped.host.runtime.agents.first?.processed)
            #expect(processed == scraped.records)
            let query = #"sluice_records_processed_total{agent="\#(scraped.agent)"}"#
            var last: PrometheusServer.Answer?
            try await eventually(timeout: .seconds(60), "Prometheus reports \(processed) for \(query)") {
                let answer = try await scraped.prometheus.query(query)
                last = answer
                return answer.succeeded && answer.result.first.flatMap(Self.value) == Double(processed)
            }
            let answer = try #require(last)
            #expect(answer.result.count == 1)
            let labels = try #require(answer.result.first?["metric"] as? [String: String])
            #expect(labels["job"] == PrometheusServer.job)
            #expect(labels["instance"] == scraped.target)
            // The scrape itself succeeded (the token was accepted).
            let up = try await scraped.prometheus.query(#"up{instance="\#(scraped.target)"}"#)
            #expect(up.result.first.flatMap(Self.value) == 1, "\(up.json)")
        }
    }

    @Test("every alert rule loads into Prometheus, evaluates without error on a live host and names only metrics the host exports")
    func rulesEvaluateOnLiveHost() async throws {
        try await ScrapedHost.run(ruleFiles: [MonitoringFiles.alerts, MonitoringFiles.stateAlerts]) { scraped in
            var groups: [[String: Any]] = []
            try await eventually(timeout: .seconds(60), "every rule evaluated") {
                let answer = try await scraped.prometheus.get("/api/v1/rules")
                groups = (answer.json["data"] as? [String: Any])?["groups"] as? [[String: Any]] ?? []
                let rules = groups.flatMap { $0["rules"] as? [[String: Any]] ?? [] }
                return rules.count == 8 && rules.allSatisfy { $0["health"] as? String != "unknown" }
            }
            let exported = try await scraped.exportedNames()
            var alerts: Set<String> = []
            for group in groups {
                let groupName = group["name"] as? String ?? "?"
                for rule in group["rules"] as? [[String: Any]] ?? [] {
                    let name = rule["name"] as? String ?? "?"
                    alerts.insert(name)
                    #expect(rule["health"] as? String == "ok", "\(name): \(rule["lastError"] ?? "")")
                    let labels = rule["labels"] as? [String: String] ?? [:]
                    #expect(["warning", "critical"].contains(labels["severity"] ?? ""), "\(name): severity \(labels)")
                    let annotations = rule["annotations"] as? [String: String] ?? [:]
                    #expect(annotations["summary"]?.isEmpty == false, "\(name): no summary")
                    #expect(annotations["description"]?.isEmpty == false, "\(name): no description")

                    let names = PromQLMetricNames.of(rule["query"] as? String ?? "")
                    #expect(!names.isEmpty, "\(name): no metric found in \(rule["query"] ?? "")")
                    if groupName == MonitoringFiles.stateTablesGroup {
                        // Waiting for state tables: the name the state feature must export.
                        #expect(names.allSatisfy { $0.hasPrefix(MonitoringFiles.stateTablesMetricPrefix) }, "\(name): \(names)")
                    } else {
                        for metric in names {
                            #expect(exported.contains(metric), "\(name) names \(metric), which the host does not export")
                        }
                    }
                }
            }
            #expect(alerts.isSuperset(of: ["SluiceAgentFailed", "SluiceConsumerLagGrowing", "SluiceDeadLettersRising",
                                           "SluiceNoCommits", "SluiceReloadRefused", "SluiceTableRestoreSlow"]),
                    "\(alerts.sorted())")

            // A healthy agent that committed everything trips nothing.
            let active = try await scraped.prometheus.get("/api/v1/alerts")
            let ours = ((active.json["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []).filter {
                let labels = $0["labels"] as? [String: String] ?? [:]
                // Other tests' agents share the process-wide registry, so this host's
                // /metrics has them too: only this agent, and the host's own metrics.
                return labels["agent"] == scraped.agent || (labels["agent"] == nil && labels["instance"] == scraped.target)
            }
            #expect(ours.isEmpty, "alerts on a healthy host: \(ours)")
        }
    }

    @Test("every query of the Grafana dashboard runs on Prometheus, shows data for a live host and names only metrics the host exports")
    func dashboardQueriesRun() async throws {
        let dashboard = try GrafanaDashboard.load()
        try await ScrapedHost.run { scraped in
            let exported = try await scraped.exportedNames()
            for target in dashboard.targets {
                let expression = GrafanaDashboard.substitute(target.expression, agent: scraped.agent)
                let names = PromQLMetricNames.of(target.expression)
                #expect(!names.isEmpty, "\(target.panel): no metric in \(target.expression)")
                for metric in names {
                    #expect(exported.contains(metric), "\(target.panel) names \(metric), which the host does not export")
                }
                // Queries of panels that list problems (failed agents) are empty on a healthy host.
                let mayBeEmpty = target.expression.hasSuffix("== 1")
                try await eventually(timeout: .seconds(60), "\(target.panel): \(expression) returns data") {
                    let answer = try await scraped.prometheus.query(expression)
                    guard answer.succeeded else {
                        throw ExchangeError("\(target.panel): \(expression): \(answer.error)")
                    }
                    return mayBeEmpty || !answer.result.isEmpty
                }
            }
            for variable in dashboard.labelVariables {
                let selector = GrafanaDashboard.substitute(variable.selector, agent: scraped.agent)
                #expect(PromQLMetricNames.of(selector).allSatisfy(exported.contains), "$\(variable.name): \(selector)")
                let answer = try await scraped.prometheus.query(selector)
                #expect(answer.succeeded, "$\(variable.name): \(answer.error)")
                #expect(answer.result.contains { ($0["metric"] as? [String: String])?[variable.label] != nil },
                        "$\(variable.name): no series of \(selector) has label \(variable.label)")
            }
        }
    }

    /// The number of an instant-vector sample (`value: [time, "text"]`).
    static func value(_ sample: [String: Any]) -> Double? {
        guard let pair = sample["value"] as? [Any], pair.count == 2, let text = pair[1] as? String else { return nil }
        return Double(text)
    }
}
