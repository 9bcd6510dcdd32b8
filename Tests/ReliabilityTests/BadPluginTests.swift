import Foundation
import SluiceHost
import Testing
import TestSupport

/// Reliability: plugins that hang. The refusal kinds and the single
/// hang cases are tested where they live (docs/reliability.md lists which
/// test covers which case); these add what they leave open: the other agents
/// keep going while plugins hang, even when hung calls hold every worker.
@Suite("Bad plugins", .serialized, .timeLimit(.minutes(3)))
struct BadPluginTests {
    @Test("a plugin that never completes PENDING batches: its records are redelivered then dead-lettered; an agent on the same topic handles everything meanwhile")
    func neverCompletesBesideAHealthyAgent() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder(name: "hanger", sidecar: """
            topics: [input]
            batch_size: 1
            batch_timeout: 300ms
            retry:
              max_attempts: 2
              initial_backoff: 5ms
            config:
              output: hanger-out
              mode: pending
            """)
        try await harness.installUppercaseExample(sidecar: "topics: [input]\n")
        let total = 300
        let hanging = Set([10, 150, 290])
        harness.produce("input", count: total) { hanging.contains($0) ? "hang-\($0)" : "w\($0)" }
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(60), "every record handled or dead-lettered by both agents") {
                harness.count("words.upper") == total && harness.count("hanger-out") == total - hanging.count
                    && harness.count("hanger.dlq") == hanging.count
            }
            for agent in ["hanger", "uppercase"] {
                try await eventually("\(agent) committed to the end") {
                    let committed = harness.broker.committed(group: "sluice.\(agent)")
                    return (0..<Int32(2)).allSatisfy {
                        committed[TopicPartition("input", $0)] == harness.broker.endOffset(TopicPartition("input", $0))
                    }
                }
            }
        }
        let letters = harness.records("hanger.dlq").map(\.record)
        #expect(Set(letters.compactMap(\.valueText)) == Set(hanging.map { "hang-\($0)" }))
        for letter in letters {
            #expect(letter.header("sluice.error")?.contains("did not complete the batch within batch_timeout") == true)
            #expect(letter.header("sluice.attempts") == "2")
        }
        #expect(harness.count("hanger-out") == total - hanging.count, "nothing handled twice")
        #expect(harness.count("words.upper") == total)
    }

    @Test("on_batch calls that never return hold every worker: replacements start, and the other agent handles every record")
    func hungCallsDoNotStarveOtherAgents() async throws {
        var harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        harness.configuration.workers = 2
        for name in ["stuck-a", "stuck-b"] {
            try await harness.installRecorder(name: name, sidecar: "topics: [\(name)-in]\nbatch_timeout: 300ms\nconfig:\n  output: \(name)-out\n")
            harness.produce("\(name)-in", count: 3) { $0 == 1 ? "hang" : "ok\($0)" }
        }
        try await harness.installRecorder(name: "healthy", sidecar: "topics: [good]\nconfig:\n  output: healthy-out\n")
        try await harness.withRuntime { runtime in
            for name in ["stuck-a", "stuck-b"] {
                try await eventually("\(name) failed") {
                    if case .failed = runtime.agent(name)?.status.state { return true } else { return false }
                }
                #expect(runtime.agent(name)?.status.state.description.contains("has not returned within batch_timeout") == true)
            }
            // Both workers are now blocked inside the plugin for good.
            harness.produce("good", count: 500)
            try await eventually(timeout: .seconds(30), "the healthy agent handles every record") { harness.count("healthy-out") == 500 }
            for name in ["stuck-a", "stuck-b"] {
                // Only the record before the hung one is finished, so only it is committed.
                #expect(harness.broker.committed(group: "sluice.\(name)")[TopicPartition("\(name)-in", 0)] ?? 0 <= 1)
            }
        }
    }
}
