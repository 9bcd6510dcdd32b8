import Benchmark
import SluiceElasticsearchPlugin

/// The Elasticsearch plugin's per-record work in index mode: parse the
/// record's JSON, take its `_id`, and write the action and source lines of the
/// `_bulk` NDJSON body. One unit is one record (of a 1,000-record batch, as
/// `bulk_max_documents: 1000` sends it), so time and allocations are per record.
func registerBulkBodyBenchmarks() {
    let batchSize = 1000
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2))
    // The documents of tools/bench/s5-http-plugins' Elasticsearch case.
    let records = (0..<batchSize).map { index in
        Array(#"{"id":"d\#(index)","symbol":"S\#(index % 50)","venue":"xnys","price":\#(100.5 + Double(index % 7)),"size":\#(index % 1000),"timestamp":\#(1_700_000_000_000 + index)}"#.utf8)
    }

    Benchmark("BulkBody.documentsAndBody (id_field)", configuration: configuration) { benchmark in
        // scaledIterations is records (×1,000): whole batches of batchSize records.
        for _ in 0..<(benchmark.scaledIterations.count / batchSize) {
            blackHole(try encode(records, idField: "id"))
        }
    }

    Benchmark("BulkBody.documentsAndBody (topic-partition-offset ids)", configuration: configuration) { benchmark in
        for _ in 0..<(benchmark.scaledIterations.count / batchSize) {
            blackHole(try encode(records, idField: nil))
        }
    }

    Benchmark("BulkBody.bodyOnly", configuration: configuration) { benchmark in
        let documents = try records.enumerated().map { index, record in
            try record.withUnsafeBytes { value in
                try BulkDocument.make(value: value, messageIndex: index, idField: "id") { "" }
            }
        }
        benchmark.startMeasurement()
        for _ in 0..<(benchmark.scaledIterations.count / batchSize) {
            blackHole(BulkRequest.split(documents, index: "trades", action: .index, maxDocuments: batchSize, maxBytes: 5 << 20))
        }
        benchmark.stopMeasurement()
    }
}

/// What index mode does with one batch: a document per record, then the bodies.
private func encode(_ records: [[UInt8]], idField: String?) throws -> [BulkRequest] {
    var documents: [BulkDocument] = []
    documents.reserveCapacity(records.count)
    for (index, record) in records.enumerated() {
        documents.append(try record.withUnsafeBytes { value in
            try BulkDocument.make(value: value, messageIndex: index, idField: idField) { "trades-0-\(index)" }
        })
    }
    return BulkRequest.split(documents, index: "trades", action: .index, maxDocuments: records.count, maxBytes: 5 << 20)
}
