import Benchmark
import SluiceInfluxDBPlugin

/// The InfluxDB plugin's per-record work in write mode: parse the record's JSON
/// and encode one line of line protocol. It runs once per record, so its
/// allocations per record are what the plugin's throughput is made of.
func registerLineProtocolBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2))
    let record = Array(#"{"symbol":"ACME","venue":"xnys","price":101.25,"quantity":30,"time":1700000000123}"#.utf8)
    let encoder = PointEncoder(measurement: "trades", tags: ["symbol", "venue"], fields: ["price", "quantity"],
                               integerFields: ["quantity"], timeField: "time", precision: .milliseconds)

    Benchmark("LineProtocol.parseAndEncode", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let value = try JSONParser.parse(record)
            blackHole(try encoder.line(for: value, recordTimestampMilliseconds: 0))
        }
    }

    Benchmark("LineProtocol.encodeParsed", configuration: configuration) { benchmark in
        let value = try JSONParser.parse(record)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try encoder.line(for: value, recordTimestampMilliseconds: 0))
        }
        benchmark.stopMeasurement()
    }
}
