import Foundation
import SluiceSDK

/// The elasticsearch agent. In search mode (the default, after Faust's
/// elasticsearch example) it reads queries from `search_queries`, asks the
/// cluster for each one's top hit — one `_msearch` per batch — and produces
/// the query with the hit as `top_result` to `top_results`. In index mode it
/// writes records as documents with `_bulk`.
///
/// Batches finish later (PENDING): requests are pipelined per partition and
/// run in parallel across partitions.
struct ElasticsearchAgent: BatchAgent {
    typealias PartitionState = PartitionQueue

    static let name = "elasticsearch"
    static let version = "1.0.0"
    static let summary: String? = "Top search hit per query (_msearch), or bulk indexing (_bulk)"
    static let topics = ["search_queries"]
    static let capabilities: Capabilities = [.pending, .produces]

    private enum Handler: Sendable {
        case search(SearchMode)
        case index(IndexMode)
    }

    private let handler: Handler

    static func validate(_ configuration: ElasticsearchConfiguration) throws {
        do {
            try configuration.validate()
        } catch {
            throw ConfigurationError(error.description)
        }
    }

    init(configuration: ElasticsearchConfiguration, host: HostServices) throws {
        let metrics = ElasticsearchMetrics(host: host)
        let connection: ElasticsearchConnection
        do {
            connection = try ElasticsearchConnection(configuration: configuration, environment: ProcessInfo.processInfo.environment,
                                                     connectionsOpened: metrics.connectionsOpened)
        } catch let error as ConfigurationKeyError {
            throw ConfigurationError(error.description)
        }
        switch configuration.mode {
        case .search:
            handler = .search(SearchMode(configuration: configuration, connection: connection, metrics: metrics))
            host.log(.info, "searching index '\(configuration.index)' at \(ElasticsearchConnection.redacted(configuration.url)); "
                + "top hits to \(configuration.outputTopic)")
        case .index:
            handler = .index(IndexMode(configuration: configuration, connection: connection, metrics: metrics))
            host.log(.info, "indexing into '\(configuration.index)' at \(ElasticsearchConnection.redacted(configuration.url))")
        }
    }

    func openPartition(topic: String, partition: Int32) throws -> PartitionQueue? { PartitionQueue() }

    func handle(_ batch: inout MessageBatch) throws {
        // Every partition gets a queue in openPartition; the fallback only guards a host that skips open().
        let queue = batch.partitionState(as: PartitionQueue.self) ?? PartitionQueue()
        switch handler {
        case .search(let search): search.handle(&batch, queue: queue)
        case .index(let index): index.handle(&batch, queue: queue)
        }
    }
}

/// The elasticsearch agent's descriptor for the host. The exported C symbol lives
/// in `Entry/` (target SluiceElasticsearchEntry), so test targets can link this module
/// beside other plugins without two `sluice_plugin_entry_v1` definitions.
public func elasticsearchPluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
    SluicePlugin.export(ElasticsearchAgent.self, major, minor)
}
