import Benchmark

/// Every benchmark of the host and the plugins' hot paths, registered for
/// package-benchmark. Groups are named by prefix so `--filter` selects one:
/// `S0` (memory:// dispatch end to end), `S10` (the same, the agent isolated), `OffsetLedger`, `LineProtocol`,
/// `RedisTemplate`, `BulkBody`, `S11` (the typed SDK's per-record decoding),
/// `S1mock` (Kafka's fetch-to-dispatch path on librdkafka's mock cluster).
let benchmarks: @Sendable () -> Void = {
    registerMemoryDispatchBenchmark()
    registerIsolatedDispatchBenchmark()
    registerKafkaMockDispatchBenchmarks()
    registerOffsetLedgerBenchmarks()
    registerLineProtocolBenchmarks()
    registerRedisTemplateBenchmarks()
    registerBulkBodyBenchmarks()
    registerTypedDecodingBenchmarks()
}
