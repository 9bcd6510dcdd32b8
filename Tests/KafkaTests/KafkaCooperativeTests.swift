import Foundation
import SluiceHost
import Testing
import TestSupport

/// The cooperative-sticky protocol (`partition.assignment.strategy` in the
/// `kafka:` map): the rebalance callback must use incremental assign and
/// unassign, or librdkafka refuses the assignment and nothing is consumed.
@Suite("Kafka cooperative rebalancing", .serialized, .timeLimit(.minutes(3)))
struct KafkaCooperativeTests {
    @Test("cooperative-sticky: a second host joins, the partitions split without the first giving all up; every record handled")
    func cooperativeSticky() async throws {
        var host = try KafkaHost()
        let world = host.world
        defer { host.remove() }
        host.harness.configuration.kafka["partition.assignment.strategy"] = "cooperative-sticky"
        let (input, output, _, seeding, _) = try await host.installRecorderPipeline(records: 1000)

        let (reader, second, ends) = try await host.withRuntime { first in
            let reader = try await host.reader(output)
            try await reader.waitForRecords(atLeast: 1000, "the first host handles the first 1000")

            // Two members of one group in one process: two runtimes over the same plugins directory.
            let second = try host.makeRuntime()
            let ends = try await withRuntime(second) { second in
                var fewestHeldByFirst = 4
                try await eventually(timeout: .seconds(60), "the two hosts split the 4 partitions") {
                    let held = first.agents.first?.partitions.count ?? 0
                    fewestHeldByFirst = min(fewestHeldByFirst, held)
                    return held == 2 && second.agents.first?.partitions.count == 2
                }
                // Eager rebalancing revokes everything first; cooperative only moves what changes owner.
                #expect(fewestHeldByFirst == 2, "the first host kept its other partitions during the rebalance")

                try await world.produce(input, count: 1000, through: seeding) { "second-\($0)" }
                let ends = try await world.endOffsets(input, expected: 2000)
                try await eventually(timeout: .seconds(60), "every record handled") {
                    _ = await reader.count
                    return RecordingLedger(reader.records).missing(ends: ends) == 0
                }
                #expect((second.agents.first?.processed ?? 0) > 0, "the second host handled its share")
                return ends
            }
            return (reader, second, ends)
        }
        let recorded = RecordingLedger(reader.records)
        print("cooperative-sticky: duplicates \(recorded.duplicates); handled by the second host: \(second.agents.first?.processed ?? 0)")
        #expect(recorded.missing(ends: ends) == 0)
        #expect(try await world.committed(group: host.group(of: "recorder"), topic: input) == ends)
    }
}
