import Foundation
import SluiceHost
import Testing
import TestSupport

/// A host on memory:// running the built elasticsearch plugin against a fresh stand-in.
struct ElasticsearchFixture {
    var harness: HostHarness
    let standIn: ElasticsearchStandIn

    /// Builds the harness (with `partitions` per topic) and starts a stand-in.
    init(partitions: Int = 4, requiredAuthorization: String? = nil) throws {
        harness = try HostHarness(partitions: partitions)
        // The variables the sidecars' `*_env` keys may name.
        harness.configuration.pluginEnvironment = ["SLUICE_TEST_ES_PASSWORD", "SLUICE_TEST_ES_API_KEY", "SLUICE_TEST_ES_UNSET_KEY"]
        standIn = try ElasticsearchStandIn(requiredAuthorization: requiredAuthorization)
    }

    /// Installs `libSluiceElasticsearch.so` as agent `elasticsearch` with a
    /// sidecar of `settings` (sidecar keys) and `config` (lines under `config:`,
    /// the stand-in's url added).
    func install(settings: String = "", config: String) throws {
        let indented = config.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        let sidecar = settings + "\nconfig:\n  url: \(standIn.url)\n" + indented + "\n"
        try harness.installBuiltPlugin(product: "SluiceElasticsearch", as: "elasticsearch", sidecar: sidecar)
    }

    /// Committed offsets of `group` summed over `topic`'s partitions.
    func committedTotal(group: String, topic: String) -> Int64 {
        harness.broker.committed(group: group).filter { $0.key.topic == topic }.values.reduce(0, +)
    }

    /// The JSON object in a record's value.
    static func json(_ record: StoredRecord) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(record.value ?? [])) as? [String: Any])
    }

    func remove() {
        standIn.stop()
        harness.remove()
    }
}
