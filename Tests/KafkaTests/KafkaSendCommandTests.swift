import Foundation
import SluiceHost
import Testing
import TestSupport

/// `sluice send --broker kafka://…`: straight to Kafka through the host's
/// producer, without a running host.
@Suite("sluice send --broker", .serialized, .timeLimit(.minutes(2)))
struct KafkaSendCommandTests {
    @Test("one VALUE with --key, then an NDJSON file: created topic, records intact, delivery confirmed")
    func sendsToKafka() async throws {
        try SluiceBinary.require()
        let world = try KafkaTestWorld()
        let directory = try TemporaryDirectory(prefix: "sluice-send")
        defer { directory.remove() }
        let configuration = try writeConfiguration(in: directory, properties: ["sluice.topic.partitions": "3"])
        let topic = world.name("sent")
        let broker = "kafka://\(world.bootstrap)"

        let one = try await ProcessRunner.run([SluiceBinary.path, "send", "--broker", broker, "--config", configuration,
                                         topic, "hello kafka", "--key", "k1"])
        #expect(one.output.contains("sent 1 record to \(topic)"), "\(one.output)")
        #expect(try await world.partitionCount(topic) == 3, "the missing topic was created with sluice.topic.partitions")

        let file = directory.file("records.ndjson")
        try """
            {"key": "k2", "value": "two", "headers": {"source": "file"}}
            {"value": {"n": 3}, "partition": 2}

            {"key": "k4", "value": null}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let three = try await ProcessRunner.run([SluiceBinary.path, "send", "--broker", broker, "--config", configuration,
                                           topic, "--file", file])
        #expect(three.output.contains("sent 3 records to \(topic)"), "\(three.output)")

        let records = try await world.readAll(topic, expected: 4)
        #expect(records.count == 4)
        let byKey = Dictionary(records.compactMap { record in record.key.map { ($0, record) } }) { first, _ in first }
        #expect(byKey["k1"]?.value == "hello kafka")
        #expect(byKey["k2"]?.value == "two")
        #expect(byKey["k2"]?.headers["source"] == "file")
        #expect(byKey["k4"]?.value == "")
        #expect(records.first { $0.key == nil }.map { ($0.partition, $0.value) } ?? (-1, "") == (2, #"{"n":3}"#))
    }

    @Test("an unreachable broker and a malformed line fail with a message naming them, exit status non-zero")
    func failures() async throws {
        try SluiceBinary.require()
        let world = try KafkaTestWorld()
        let directory = try TemporaryDirectory(prefix: "sluice-send")
        defer { directory.remove() }
        let configuration = try writeConfiguration(in: directory, properties: ["sluice.request.timeout.ms": "1000"])

        // Port 1 on loopback: nothing listens there.
        let unreachable = try await ProcessRunner.run([SluiceBinary.path, "send", "--broker", "kafka://127.0.0.1:1",
                                                 "--config", configuration, "--timeout", "5", world.name("t"), "v"],
                                                check: false)
        #expect(unreachable.status == 1, "\(unreachable.output)")
        #expect(unreachable.output.contains("not delivered") || unreachable.output.contains("did not acknowledge"),
                "\(unreachable.output)")
        #expect(unreachable.output.contains(world.name("t")), "the topic is named: \(unreachable.output)")

        let file = directory.file("bad.ndjson")
        try "{\"value\": \"ok\"}\n{not json}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let malformed = try await ProcessRunner.run([SluiceBinary.path, "send", "--broker", "kafka://\(world.bootstrap)",
                                               "--config", configuration, world.name("t"), "--file", file], check: false)
        #expect(malformed.status == 2, "\(malformed.output)")
        #expect(malformed.output.contains("line 2: malformed JSON"), "\(malformed.output)")

        let memory = try await ProcessRunner.run([SluiceBinary.path, "send", "--broker", "memory://", world.name("t"), "v"], check: false)
        #expect(memory.status != 0)
        #expect(memory.output.contains("memory:// lives inside a running host"), "\(memory.output)")
    }

    /// A sluice.yaml holding only a `kafka:` map: the local broker's properties with `properties` over them.
    private func writeConfiguration(in directory: TemporaryDirectory, properties: [String: String]) throws -> String {
        let merged = TestServices.kafkaProperties.merging(properties) { $1 }
        let lines = ["kafka:"] + merged.sorted { $0.key < $1.key }.map { "  \($0.key): \"\($0.value)\"" }
        let path = directory.file("sluice.yaml")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
