import SluiceHost

extension KafkaHost {
    /// Sidecar lines with the same limits as ``throttle()``, for a `sluice run` peer.
    public static let throttledSidecarSettings = "batch_size: 5\nmax_in_flight: 10\n"

    /// Small batches and a small in-flight limit: a run lasts long enough to
    /// be interrupted in the middle, and exercises pause and resume at the
    /// watermarks.
    public mutating func throttle() {
        harness.configuration.agentDefaults.batchSize = 5
        harness.configuration.agentDefaults.maxInFlight = 10
    }

    /// What most Kafka tests start from: the recorder agent
    /// (Tests/Fixtures/recorder.c) reading a fresh `orders` topic and
    /// recording to a fresh `recorded` topic (both created), with `records`
    /// records already produced to `orders` (keys `k<i>`, values `value(i)`).
    ///
    /// - Parameters:
    ///   - sidecarSettings: extra sidecar lines (`batch_size: 5\n`), for
    ///     settings a `sluice run` peer must share.
    ///   - recorderSettings: extra lines of the recorder's `config:`, indented
    ///     (`  delay_us: 20000\n`).
    /// - Returns: the topic names, the recorder's `sidecar` (a peer takes the
    ///   same), a `seeding` client for producing more and reading back, and
    ///   the input's end offsets after the first `records` (empty when 0).
    @discardableResult
    public func installRecorderPipeline(
        records: Int, version: String = "1.0.0", sidecarSettings: String = "", recorderSettings: String = "",
        value: (Int) -> String = { "v\($0)" }
    ) async throws -> (input: String, output: String, sidecar: String, seeding: KafkaTransport, ends: [Int32: Int64]) {
        let input = world.name("orders"), output = world.name("recorded")
        let sidecar = "topics: [\(input)]\n\(sidecarSettings)config:\n  output: \(output)\n\(recorderSettings)"
        try await harness.installRecorder(version: version, sidecar: sidecar)
        let seeding = try await world.seedingTransport(creating: input, output)
        guard records > 0 else { return (input, output, sidecar, seeding, [:]) }
        try await world.produce(input, count: records, through: seeding, value: value)
        return (input, output, sidecar, seeding, try await world.endOffsets(input, expected: records))
    }
}
