import Foundation
import SluiceHTTPClient
import SluiceSDK

/// Search mode (the Faust example): per query record, the top hit of the
/// configured query, attached as `top_result` and produced to the output
/// topic. A whole batch is one `_msearch` request.
struct SearchMode: Sendable {
    let configuration: ElasticsearchConfiguration
    let connection: ElasticsearchConnection
    let metrics: ElasticsearchMetrics

    /// One query of the batch, as parsed before the request goes out.
    private struct Query {
        let messageIndex: Int
        let record: [String: Any]
        let outputKey: [UInt8]?
    }

    /// The queries of one batch, handed from the worker thread to the
    /// response handler. @unchecked: JSON trees are not Sendable, but the box
    /// is written before the request is sent and only read after it answered.
    private final class Job: @unchecked Sendable {
        let queries: [Query]
        init(queries: [Query]) { self.queries = queries }
    }

    /// Parses the batch's queries, then sends one `_msearch` through `queue`.
    func handle(_ batch: inout MessageBatch, queue: PartitionQueue) {
        var request = MultiSearchRequest(index: configuration.index, template: configuration.effectiveQueryTemplate)
        var queries: [Query] = []
        for index in 0..<batch.count {
            let message = batch[index]
            guard let value = message.value else { batch.skip(at: index); continue }
            guard let record = (try? JSONSerialization.jsonObject(with: Data(value))) as? [String: Any] else {
                batch.deadLetter(at: index, reason: "the query record is not a JSON object")
                continue
            }
            guard let text = JSONField.text(at: configuration.queryField, in: record) else {
                batch.deadLetter(at: index, reason: "the query record has no string field '\(configuration.queryField)'")
                continue
            }
            var outputKey = message.keyBytes
            if let keyField = configuration.outputKeyField {
                guard let key = JSONField.text(at: keyField, in: record) else {
                    batch.deadLetter(at: index, reason: "the query record has no field '\(keyField)' for the output key")
                    continue
                }
                outputKey = Array(key.utf8)
            }
            request.append(query: text)
            queries.append(Query(messageIndex: index, record: record, outputKey: outputKey))
        }
        guard !queries.isEmpty else { return }
        let traceparent = batch.traceparent
        let pending = batch.finishLater()
        let job = Job(queries: queries)
        let httpRequest = connection.post("/_msearch", body: request.body).traced(traceparent)
        metrics.searches.add(Int64(queries.count))
        queue.submit { [self] done in
            connection.send([httpRequest]) { results in
                finish(job, result: results.first ?? .failure(.transport("no result")), pending: pending)
                done()
            }
        }
    }

    private func finish(_ job: Job, result: Result<HTTPResponse, HTTPClientError>, pending: PendingBatch) {
        defer { pending.complete() }
        let answers: [SearchAnswer]
        switch HTTPOutcome.forCluster(result) {
        case .success:
            let body = (try? result.get())?.body ?? []
            answers = MultiSearchResponse.parse(body, expected: job.queries.count)
                ?? Array(repeating: .retry("unreadable _msearch response"), count: job.queries.count)
        case .retry(_, let reason):
            metrics.requestsFailed.add()
            answers = Array(repeating: .retry("_msearch: \(reason)"), count: job.queries.count)
        case .fail(let reason):
            metrics.requestsFailed.add()
            answers = Array(repeating: .fail("_msearch: \(reason)"), count: job.queries.count)
        }
        for (query, answer) in zip(job.queries, answers) {
            switch answer {
            case .hit(let hit):
                metrics.hits.add()
                produce(query, topResult: hit, pending: pending)
            case .noHit:
                metrics.noHits.add()
                switch configuration.onNoHit {
                case .null: produce(query, topResult: NSNull(), pending: pending)
                case .deadLetter: pending.deadLetter(at: query.messageIndex, reason: "no hit in index '\(configuration.index)'")
                }
            case .retry(let reason): pending.retry(at: query.messageIndex, reason: reason)
            case .fail(let reason): pending.deadLetter(at: query.messageIndex, reason: reason)
            }
        }
    }

    private func produce(_ query: Query, topResult: Any, pending: PendingBatch) {
        var output = query.record
        output["top_result"] = topResult
        do {
            let value = try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys, .withoutEscapingSlashes])
            try pending.produce(topic: configuration.outputTopic, key: query.outputKey, value: value)
        } catch {
            pending.retry(at: query.messageIndex, reason: "producing to \(configuration.outputTopic): \(error)")
        }
    }
}

/// Reading a field of a parsed JSON record.
enum JSONField {
    /// The text of the string or number at a dotted path, or nil.
    static func text(at path: String, in record: [String: Any]) -> String? {
        var current: Any? = record[path]
        if current == nil {
            current = record
            for component in path.split(separator: ".") {
                current = (current as? [String: Any])?[String(component)]
            }
        }
        if let string = current as? String { return string }
        if let number = current as? NSNumber, !(current is Bool) { return number.stringValue }
        return nil
    }
}
