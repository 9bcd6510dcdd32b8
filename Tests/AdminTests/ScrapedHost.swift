import Foundation
import TestSupport

/// A host on memory:// with one recorder agent, its admin API behind a bearer
/// token (read from a 0600 file, as in production), that has handled
/// `records` records, and a real Prometheus scraping it with that token.
struct ScrapedHost {
    let host: AdminTestHost
    let prometheus: PrometheusServer
    /// The agent's name, unique in the process (the metrics registry is process-wide).
    let agent: String
    /// The records sent (and processed) before Prometheus started.
    let records: Int
    /// The scrape target, `127.0.0.1:PORT` (the `instance` label).
    let target: String
    /// `Authorization` for the admin API.
    let authorization: [String: String]

    /// Runs `body` against a fresh host and Prometheus (loading `ruleFiles`), then stops both.
    static func run(records: Int = 200, ruleFiles: [String] = [], _ body: (ScrapedHost) async throws -> Void) async throws {
        let agent = "monitored_\(UInt32.random(in: 0...UInt32.max))"
        let directory = try TemporaryDirectory(prefix: "sluice-monitoring")
        defer { directory.remove() }
        let token = "scrape-\(UUID().uuidString)"
        let tokenFile = directory.file("admin-token")
        // A trailing newline, as `echo` writes it: the host and Prometheus both drop it.
        guard FileManager.default.createFile(atPath: tokenFile, contents: Data((token + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ExchangeError("cannot create \(tokenFile)")
        }
        var admin = AdminTestHost.loopback()
        admin.tokenFile = tokenFile
        let authorization = ["Authorization": "Bearer \(token)"]
        try await AdminTestHost(agents: [agent], admin: admin).run { host in
            let lines = (0..<records).map { #"{"key": "k\#($0)", "value": "v\#($0)"}"# }.joined(separator: "\n")
            let produced = try await HTTPExchange.post(host.baseURL, "/topics/input/messages", lines,
                                                       contentType: "application/x-ndjson", headers: authorization)
            guard produced.status == 200 else { throw ExchangeError("produce: HTTP \(produced.status) \(produced.text)") }
            try await eventually("\(records) records processed") { host.runtime.agents.first?.processed == records }
            let target = String(host.baseURL.dropFirst("http://".count))
            try await PrometheusServer.with(scraping: target, tokenFile: tokenFile, ruleFiles: ruleFiles) { prometheus in
                try await prometheus.ready()
                try await body(ScrapedHost(host: host, prometheus: prometheus, agent: agent, records: records,
                                           target: target, authorization: authorization))
            }
        }
    }

    /// The metric names of the host's `/metrics` now (histograms with their
    /// `_bucket`, `_sum` and `_count` series).
    func exportedNames() async throws -> Set<String> {
        let answer = try await HTTPExchange.get(host.baseURL, "/metrics", headers: authorization)
        guard answer.status == 200 else { throw ExchangeError("/metrics: HTTP \(answer.status) \(answer.text)") }
        return Set(try PrometheusText(answer.text).samples.map(\.name))
    }
}
