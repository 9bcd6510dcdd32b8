import Testing

/// The reader the monitoring tests use to find which metrics an expression
/// names: right on the shapes the rules and the dashboard use.
@Suite("PromQL metric names")
struct PromQLMetricNamesTests {
    @Test("metric names are found; functions, grouping labels, matchers, ranges, keywords and numbers are not", arguments: [
        (#"sum by (agent) (rate(sluice_records_processed_total{agent=~"$agent", instance="a:1"}[$__rate_interval]))"#,
         ["sluice_records_processed_total"]),
        (#"(time() - last_commit > 600) and on (job, agent) (sum without (topic) (lag) > 0 or in_flight > 1e3) unless on (agent) state{state=~"failed|paused"} == 1"#,
         ["last_commit", "lag", "in_flight", "state"]),
        (#"histogram_quantile(0.99, sum by (le) (rate(duration_bucket[5m]))) > bool 2.5"#, ["duration_bucket"]),
        (#"increase(reloads_total{outcome="failed"}[15m:1m]) > 0"#, ["reloads_total"]),
    ])
    func names(expression: String, expected: [String]) {
        #expect(PromQLMetricNames.of(expression) == expected)
    }
}
