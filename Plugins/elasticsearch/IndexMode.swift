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
        for index in 0..<batch.count {
            let message = batch[index]
            guard let value = message.value else { batch.skip(at: index); continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(value))) as? [String: Any] else {
                batch.deadLetter(at: index, reason: "the record is not a JSON object")
                continue
            }
            let id: String
            if let idField = configuration.idField {
                guard let field = JSONField.text(at: idField, in: object), !field.isEmpty else {
                    batch.deadLetter(at: index, reason: "the record has no string or number field '\(idField)' for the _id")
                    continue
                }
                id = field
            } else {
                id = "\(topic)-\(batch.partition)-\(message.offset)"
            }
            // NDJSON needs the source on one line; re-encode only pretty-printed values.
            var source = Array(value)
            if source.contains(10) || source.contains(13) {
                source = JSONLine.encode(object).dropLast()
            }
            documents.append(BulkDocument(messageIndex: index, id: id, source: source))
        }
        guard !documents.isEmpty else { return }
        let requests = BulkRequest.split(documents, index: configuration.index, action: configuration.action,
                                         maxDocuments: configuration.bulkMaxDocuments, maxBytes: configuration.bulkMaxBytes)
        let pending = batch.finishLater()
        let httpRequests = requests.map { connection.post("/_bulk", body: $0.body) }
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
