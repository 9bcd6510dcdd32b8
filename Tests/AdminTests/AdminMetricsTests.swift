import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// `/metrics`: Prometheus text whose counters match what the agents did.
@Suite("Admin API metrics")
struct AdminMetricsTests {
    @Test("/metrics parses as Prometheus text; records in/processed equal the records handled; runtime gauges are there")
    func metricsMatchProcessing() async throws {
        // A name no other test uses: the registry is process-wide.
        let agent = "metered_\(UInt32.random(in: 0...UInt32.max))"
        try await AdminTestHost(agents: [agent]).run { host in
            let lines = (0..<500).map { #"{"key": "k\#($0)", "value": "v\#($0)"}"# }.joined(separator: "\n")
            let produced = try await HTTPExchange.post(host.baseURL, "/topics/input/messages", lines,
                                                       contentType: "application/x-ndjson")
            #expect(produced.status == 200, "\(produced.text)")
            try await eventually("500 records processed") {
                host.runtime.agents.first?.processed == 500 && host.harness.count("\(agent).out") == 500
            }
            // The counter is bumped just after the status: poll until the scrape shows it.
            var metrics = try PrometheusText("")
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            repeat {
                let answer = try await HTTPExchange.get(host.baseURL, "/metrics")
                #expect(answer.status == 200)
                #expect(answer.headers["content-type"]?.hasPrefix("text/plain") == true)
                metrics = try PrometheusText(answer.text)
                if metrics.value("sluice_records_processed_total", ["agent": agent]) == 500 { break }
                try await Task.sleep(for: .milliseconds(20))
            } while clock.now < deadline

            let processed = try #require(host.runtime.agents.first?.processed)
            #expect(metrics.value("sluice_records_processed_total", ["agent": agent]) == Double(processed))
            // Labelled with the plugin too: one plugin can run as several agents.
            #expect(metrics.samples.contains { $0.name == "sluice_records_processed_total" && $0.labels["plugin"] != nil })
            #expect(metrics.value("sluice_records_in_total", ["agent": agent]) == 500)
            #expect(metrics.value("sluice_records_produced_total", ["agent": agent]) == 500)
            #expect(metrics.value("sluice_records_dead_lettered_total", ["agent": agent]) ?? 0 == 0)
            #expect(metrics.types["sluice_records_processed_total"] == "counter")
            #expect(metrics.types["sluice_batch_duration_seconds"] == "histogram")
            #expect((metrics.value("sluice_batch_duration_seconds_count", ["agent": agent]) ?? 0) >= 1)

            #expect(metrics.value("sluice_loaded_images") == Double(host.runtime.loader.loadedImageCount))
            #expect(metrics.value("sluice_agents", ["state": "running"]) == 1)
            #expect(metrics.value("sluice_agents", ["state": "failed"]) == 0)
            #expect(metrics.types["sluice_reloads_total"] == "counter")

            // Lag per partition: the group commits to the end once everything is handled.
            try await eventually("lag drops to zero") {
                let committed = host.harness.broker.committed(group: "sluice.\(agent)")
                return (0..<4).allSatisfy { committed[TopicPartition("input", Int32($0))] == host.harness.broker.endOffset(TopicPartition("input", Int32($0))) }
            }
            let settled = try PrometheusText(try await HTTPExchange.get(host.baseURL, "/metrics").text)
            let lag = settled.samples.filter { $0.name == "sluice_consumer_lag" && $0.labels["agent"] == agent }
            #expect(lag.count == 4)
            #expect(lag.allSatisfy { $0.value == 0 })
        }
    }

    @Test("a reload shows in sluice_reloads_total")
    func reloadsCounted() async throws {
        try await AdminTestHost().run { host in
            let before = try PrometheusText(try await HTTPExchange.get(host.baseURL, "/metrics").text)
            let okBefore = before.value("sluice_reloads_total", ["outcome": "ok"]) ?? 0
            // Replace the file with a new version (a new inode, as the drop-in contract says), then reload.
            let staging = host.harness.pluginsDirectory + "/.recorder.so.tmp"
            try await CPluginCompiler.compile(
                sources: [RepositoryPaths.path("Tests/Fixtures/recorder.c")], output: staging,
                flags: ["-DAGENT_NAME=\"recorder\"", "-DAGENT_VERSION=\"2.0.0\""])
            #expect(rename(staging, host.harness.pluginsDirectory + "/recorder.so") == 0)
            let reloaded = try await HTTPExchange.post(host.baseURL, "/agents/recorder/reload")
            #expect(reloaded.status == 200, "\(reloaded.text)")
            try await eventually("version 2.0.0 runs") { host.runtime.agents.first?.version == "2.0.0" }
            let after = try PrometheusText(try await HTTPExchange.get(host.baseURL, "/metrics").text)
            #expect((after.value("sluice_reloads_total", ["outcome": "ok"]) ?? 0) >= okBefore + 1)
            let agents = try JSONDecoder().decode(AgentsReport.self,
                                                  from: try await HTTPExchange.get(host.baseURL, "/agents").body)
            #expect(agents.agents.first?.version == "2.0.0")
            #expect(agents.reloads.contains { $0.agent == "recorder" && $0.outcome == "upgraded" })
        }
    }

    @Test("a truncated file dropped over a running plugin: the old version keeps running and /agents shows why")
    func refusedReloadShown() async throws {
        try await AdminTestHost().run { host in
            let path = host.harness.pluginsDirectory + "/recorder.so"
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let staging = host.harness.pluginsDirectory + "/.recorder.so.tmp"
            try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: staging))
            #expect(rename(staging, path) == 0)
            let reload = try await HTTPExchange.post(host.baseURL, "/agents/recorder/reload")
            #expect(reload.status == 409, "\(reload.text)")
            #expect(reload.errorMessage?.contains("refused") == true, "\(reload.text)")
            let report = try JSONDecoder().decode(AgentsReport.self,
                                                  from: try await HTTPExchange.get(host.baseURL, "/agents").body)
            let agent = try #require(report.agents.first)
            #expect(agent.state == "running")
            #expect(agent.version == "1.0.0")
            #expect(agent.lastReload?.outcome == "refused")
            #expect(agent.lastReload?.reason?.isEmpty == false)
            let metrics = try PrometheusText(try await HTTPExchange.get(host.baseURL, "/metrics").text)
            #expect((metrics.value("sluice_reloads_total", ["outcome": "failed"]) ?? 0) >= 1)
        }
    }
}
