import Foundation
import SluiceHost
import SluiceInfluxDBPlugin
import SluicePluginKit
import TestSupport

/// The built influxdb plugin in a host on memory://, with a sidecar.
enum PluginFixture {
    /// A harness with the plugin installed as `influxdb`, configured by the
    /// `config:` lines (indented under `config:`) plus retry settings generous
    /// enough that an outage never exhausts them.
    static func harness(partitions: Int = 1, batchSize: Int = 500, config: [String]) throws -> HostHarness {
        var harness = try HostHarness(partitions: partitions)
        harness.configuration.agentDefaults.batchSize = batchSize
        let sidecar = """
            retry:
              max_attempts: 10000
              initial_backoff: 20ms
              max_backoff: 300ms
            config:
            \(config.map { "  " + $0 }.joined(separator: "\n"))

            """
        try harness.installBuiltPlugin(product: "SluiceInfluxDB", as: "influxdb", sidecar: sidecar)
        return harness
    }

    /// Appends a record with key `key` and JSON value `json` to `topic`.
    static func append(_ harness: HostHarness, topic: String = "orders", key: String, json: String) {
        harness.broker.append(OutgoingRecord(topic: topic, key: Array(key.utf8), value: Array(json.utf8)))
    }

    /// The parsed values of `topic`, by record key.
    static func values(_ harness: HostHarness, _ topic: String) throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (_, record) in harness.records(topic) {
            out[record.keyText ?? ""] = try JSONValue.parse(record.value ?? [])
        }
        return out
    }

    /// A YAML double-quoted scalar.
    static func yaml(_ text: String) -> String { JSONValue.quoted(text) }
}
