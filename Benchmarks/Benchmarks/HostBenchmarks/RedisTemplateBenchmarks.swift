import Benchmark
import SluiceRedisPlugin

/// The redis plugin's per-record work: render Faust's feed-cache command
/// (`ZADD {user} {timestamp:epoch} {message}`) from a record's JSON into the
/// batch's pipeline buffer, exactly as the agent does before it writes to
/// Redis. One unit is one record; the buffer is emptied every 500 records (one
/// batch), keeping its storage, as the agent's batches do.
func registerRedisTemplateBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2))
    let value = Array(#"{"user":"user:42","message":"message 42 from the benchmark","timestamp":"2019-05-21T13:55:12.123Z"}"#.utf8)
    let key = Array("42".utf8)

    Benchmark("RedisTemplate.feedCacheZADD", configuration: configuration) { benchmark in
        var renderer = try RedisCommandRenderer(commands: [["ZADD", "{user}", "{timestamp:epoch}", "{message}"]])
        var buffer = PipelineBuffer()
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in
                benchmark.startMeasurement()
                for iteration in benchmark.scaledIterations {
                    if iteration % 500 == 0 { buffer.removeAll() }
                    try renderer.render(key: key, value: value, message: iteration % 500, into: &buffer)
                }
                benchmark.stopMeasurement()
            }
        }
        blackHole(buffer.commandCount)
    }
}
