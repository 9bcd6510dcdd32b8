import Foundation
import SluiceHTTPClient
import SluiceSDK

/// Index mode: each record's value (a JSON object) becomes a document, sent
/// with `_bulk` in requests of at most `bulk_max_documents` documents and
/// `bulk_max_bytes` bytes. The `_id` comes from `id_field` (or the record's
/// topic, partition and offset), so a redelivered record overwrites itself.
struct IndexMode: Sendable {
    let configuration: ElasticsearchConfiguration
    let connection: ElasticsearchConnection
    let metrics: ElasticsearchMetrics

    /// Builds the batch's bulk requests, then sends them through `queue`.
    func handle(_ batch: inout MessageBatch, queue: PartitionQueue) {
        var documents: [BulkDocument] = []
        documents.reserveCapacity(batch.count)
        let topic = batch.topic
        let partition = batch.partition
        for index in 0..<batch.count {
            let message = batch[index]
            guard let value = message.value else { batch.skip(at: index); continue }
            do throws(BulkDocumentError) {
                documents.append(try BulkDocument.make(value: value, messageIndex: index, idField: configuration.idField) {
                    "\(topic)-\(partition)-\(message.offset)"
                })
            } catch {
                batch.deadLetter(at: index, reason: error.description)
            }
        }
        guard !documents.isEmpty else { return }
        let requests = BulkRequest.split(documents, index: configuration.index, action: configuration.action,
                                         maxDocuments: configuration.bulkMaxDocuments, maxBytes: configuration.bulkMaxBytes)
        let traceparent = batch.traceparent
        let pending = batch.finishLater()
        let httpRequests = requests.map { connection.post("/_bulk", body: $0.body).traced(traceparent) }
        let indices = requests.map(\.messageIndices)
        queue.submit { [self] done in
            connection.send(httpRequests) { results in
                for (messageIndices, result) in zip(indices, results) {
                    apply(result, to: messageIndices, pending: pending)
                }
                pending.complete()
                done()
            }
        }
    }

    private func apply(_ result: Result<HTTPResponse, HTTPClientError>, to messageIndices: [Int], pending: PendingBatch) {
        let outcomes: [BulkItemOutcome]
        switch HTTPOutcome.forCluster(result) {
        case .success:
            let body = (try? result.get())?.body ?? []
            outcomes = BulkResponse.parse(body, expected: messageIndices.count, action: configuration.action)
                ?? Array(repeating: .retry("unreadable _bulk response"), count: messageIndices.count)
        case .retry(_, let reason):
            metrics.requestsFailed.add()
            outcomes = Array(repeating: .retry("_bulk: \(reason)"), count: messageIndices.count)
        case .fail(let reason):
            metrics.requestsFailed.add()
            outcomes = Array(repeating: .reject("_bulk: \(reason)"), count: messageIndices.count)
        }
        var indexed: Int64 = 0
        for (messageIndex, outcome) in zip(messageIndices, outcomes) {
            switch outcome {
            case .ok: indexed += 1
            case .retry(let reason):
                metrics.documentsRetried.add()
                pending.retry(at: messageIndex, reason: reason)
            case .reject(let reason):
                metrics.documentsRejected.add()
                pending.deadLetter(at: messageIndex, reason: reason)
            }
        }
        metrics.documentsIndexed.add(indexed)
    }
}
