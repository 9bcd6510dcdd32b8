import Benchmark
import SluiceInfluxDBPlugin
import SluicePluginKit

/// The InfluxDB plugin's per-record work in write mode: check the record's
/// JSON and append one line of line protocol to the request body. It runs once
/// per record, so its allocations per record are what the plugin's throughput
/// is made of. Each benchmark iteration is one batch of `scaledIterations`
/// (1,000) records encoded into a fresh body, as `PointWriter` does per batch,
/// so the body's growth is counted, amortised over the batch.
func registerLineProtocolBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2))
    let record = Array(#"{"symbol":"ACME","venue":"xnys","price":101.25,"quantity":30,"time":1700000000123}"#.utf8)
    let encoder = PointEncoder(measurement: "trades", tags: ["symbol", "venue"], fields: ["price", "quantity"],
                               integerFields: ["quantity"], timeField: "time", precision: .milliseconds)

    // JSON check and every member found in one pass (PointEncoder.locate) +
    // the line, as PointWriter.handle does per record.
    Benchmark("LineProtocol.parseAndEncode", configuration: configuration) { benchmark in
        try record.withUnsafeBytes { bytes in
            var body: [UInt8] = []
            var located = PointEncoder.LocatedRecord()
            for _ in benchmark.scaledIterations {
                try encoder.locate(bytes, into: &located)
                try encoder.appendLine(for: located, in: bytes, recordTimestampMilliseconds: 0, to: &body)
                body.append(0x0A)
            }
            blackHole(body)
        }
    }

    // The same with the JSON checked first and each member found by its own
    // scan of the record (what the encoder does without a field list).
    Benchmark("LineProtocol.parseAndEncode (a scan per member)", configuration: configuration) { benchmark in
        try record.withUnsafeBytes { bytes in
            var body: [UInt8] = []
            for _ in benchmark.scaledIterations {
                let value = try JSONParser.validate(bytes)
                try encoder.appendLine(for: value, in: bytes, recordTimestampMilliseconds: 0, to: &body)
                body.append(0x0A)
            }
            blackHole(body)
        }
    }

    // The line only (the JSON already checked).
    Benchmark("LineProtocol.encodeParsed", configuration: configuration) { benchmark in
        try record.withUnsafeBytes { bytes in
            let value = try JSONParser.validate(bytes)
            var body: [UInt8] = []
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try encoder.appendLine(for: value, in: bytes, recordTimestampMilliseconds: 0, to: &body)
                body.append(0x0A)
            }
            benchmark.stopMeasurement()
            blackHole(body)
        }
    }
}
