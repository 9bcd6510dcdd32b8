import Benchmark
import Foundation
import SluiceSDK

/// The record the typed Swift SDK agent of S11 reads: three string fields.
private struct Activity: Codable {
    let user: String
    let message: String
    let timestamp: String
}

/// S11's per-record decoding, the typed agent's cost beyond the host: one
/// feed activity decoded into `Activity`, by Foundation's `JSONDecoder` (what
/// the SDK used before; one decoder per batch, as then) and by the SDK's
/// `RecordDecoder` (one per batch, reused per record), and encoded back for
/// a produced record. Each iteration is one
/// batch of `scaledIterations` (1,000) records, so per-record numbers are the
/// totals divided by 1,000.
func registerTypedDecodingBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2))
    // The shape fill_producer writes for feed activities.
    let record = Array(#"{"user":"user:000000000042","message":"message 000000000817 from the benchmark","timestamp":"2019-05-21T13:55:12.123Z"}"#.utf8)

    Benchmark("S11.decodeActivity.foundation", configuration: configuration) { benchmark in
        let data = Data(record)
        let decoder = JSONDecoder()
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode(Activity.self, from: data))
        }
    }

    Benchmark("S11.decodeActivity.recordDecoder", configuration: configuration) { benchmark in
        let decoder = RecordDecoder()
        try record.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                blackHole(try decoder.decode(Activity.self, from: bytes))
            }
        }
    }

    // The producing side: one activity encoded per record, by JSONEncoder
    // and by the SDK's RecordEncoder (what produce(topic:key:json:) does:
    // one encoder per instance, its buffer reused for every value).
    let activity = try! JSONDecoder().decode(Activity.self, from: Data(record))
    Benchmark("S11.encodeActivity.foundation", configuration: configuration) { benchmark in
        let encoder = JSONEncoder()
        for _ in benchmark.scaledIterations {
            blackHole(try encoder.encode(activity))
        }
    }

    Benchmark("S11.encodeActivity.recordEncoder", configuration: configuration) { benchmark in
        let encoder = RecordEncoder()
        for _ in benchmark.scaledIterations {
            try encoder.withEncoded(activity) { blackHole($0.count) }
        }
    }
}
