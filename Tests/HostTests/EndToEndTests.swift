import Foundation
import SluiceHost
import Testing
import TestSupport

/// The host on `memory://` with real plugins (compiled C, and the Swift example).
@Suite("End to end on memory://", .serialized)
struct EndToEndTests {
    /// Every input offset recorded exactly once; with `ordered`, also in
    /// offset order per partition. (A plugin that returns PENDING may overlap
    /// batches of one partition — the recorder's pending mode finishes each on
    /// its own thread — so only dispatch order is the host's to keep then.)
    private func assertExactlyOnce(_ harness: HostHarness, input: String, output: String, ordered: Bool) throws {
        var seen = Set<RecordedLine>()
        var lastOffset: [Int32: Int64] = [:]
        var highest: [Int32: Int64] = [:]
        for (partition, record) in harness.records(output) {
            let line = try #require(RecordedLine(record))
            #expect(line.partition == partition, "output partition mirrors the input partition")
            #expect(seen.insert(line).inserted, "offset \(line.offset) of partition \(line.partition) handled twice")
            if ordered, let last = lastOffset[partition] {
                #expect(line.offset > last, "partition \(partition): offset \(line.offset) after \(last)")
            }
            lastOffset[partition] = line.offset
            highest[partition] = max(highest[partition] ?? -1, line.offset)
        }
        var expected = 0
        for partition in 0..<Int32(harness.broker.partitionCount(of: input) ?? 0) {
            let end = harness.broker.endOffset(TopicPartition(input, partition))
            expected += Int(end)
            #expect((highest[partition] ?? -1) + 1 == end, "partition \(partition) fully handled")
        }
        #expect(seen.count == expected)
    }

    @Test("C plugin: 100k records over 8 partitions, each handled once, in order, committed to the end",
          arguments: ["sync", "pending"])
    func hundredThousand(mode: String) async throws {
        var harness = try HostHarness()
        defer { harness.remove() }
        harness.configuration.agentDefaults.batchSize = 1000
        try await harness.installRecorder(sidecar: "config:\n  output: recorded\n  mode: \(mode)\n")
        harness.produce("input", count: 100_000)
        try await harness.withRuntime { runtime in
            try await eventually("100k records recorded") { harness.count("recorded") >= 100_000 }
        }
        try assertExactlyOnce(harness, input: "input", output: "recorded", ordered: mode == "sync")
        let committed = harness.broker.committed(group: "sluice.recorder")
        for partition in 0..<Int32(8) {
            let tp = TopicPartition("input", partition)
            #expect(committed[tp] == harness.broker.endOffset(tp))
        }
        #expect(harness.count("recorded") == 100_000)
    }

    @Test("Swift example plugin: typed records, async handling, dead letter for a bad order")
    func swiftExample() async throws {
        let harness = try HostHarness(partitions: 4)
        defer { harness.remove() }
        try harness.installSwiftExample()
        for index in 0..<1000 {
            let quantity = index == 500 ? 0 : index % 7 + 1
            let order = #"{"id":"o\#(index)","user_id":"u\#(index % 10)","symbol":"ACME","quantity":\#(quantity),"price":2.5}"#
            harness.broker.append(OutgoingRecord(topic: "orders", key: Array("o\(index)".utf8), value: Array(order.utf8)))
        }
        try await harness.withRuntime { runtime in
            try await eventually("999 enriched orders and one dead letter") {
                harness.count("orders.enriched") == 999 && harness.count("enricher.dlq") == 1
            }
        }
        let enriched = harness.records("orders.enriched").map(\.record)
        let first = try #require(enriched.first { $0.keyText == "o1" })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.value ?? [])) as? [String: Any])
        #expect(json["total"] as? Double == 2.5 * 2)
        let dead = try #require(harness.records("enricher.dlq").first?.record)
        #expect(dead.keyText == "o500")
        #expect(dead.header("sluice.error")?.contains("quantity must be positive") == true)
    }

    @Test("a chain: the C example upper-cases words to a topic another agent consumes")
    func chain() async throws {
        let harness = try HostHarness(partitions: 4)
        defer { harness.remove() }
        try await harness.installUppercaseExample()
        try await harness.installRecorder(name: "downstream", sidecar: "topics: [words.upper]\nconfig:\n  output: final\n")
        harness.produce("words", count: 2000) { "word-\($0)" }
        try await harness.withRuntime { runtime in
            try await eventually("2000 records through both agents") { harness.count("final") == 2000 }
        }
        let values = Set(harness.records("final").compactMap { RecordedLine($0.record)?.value })
        #expect(values.contains("WORD-1999"))
        #expect(values.count == 2000)
        let keys = Set(harness.records("words.upper").compactMap(\.record.keyText))
        #expect(keys.contains("k7"), "keys are preserved along the chain")
    }

    @Test("RETRY then success: the record is handled once, after the retries, before later batches")
    func retryThenSuccess() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        // One record per batch: later batches wait for the retried one. (Inside
        // one batch, the plugin has already handled the records after it.)
        try await harness.installRecorder(sidecar: "batch_size: 1\n")
        harness.produce("input", count: 10) { $0 == 3 ? "retry:2:x" : "ok\($0)" }
        let status = try await harness.withRuntime { runtime in
            try await eventually("10 records") { harness.count("recorded") == 10 }
            let status = try #require(runtime.agents.first)
            return status
        }
        let lines = harness.records("recorded").compactMap { RecordedLine($0.record) }
        #expect(lines.map(\.offset) == Array(0..<10), "order kept: later records wait for the retried one")
        #expect(status.retried == 2)
        #expect(harness.count("recorder.dlq") == 0)
    }

    @Test("RETRY exhausted: the record goes to the dead-letter topic with its headers, the rest continues")
    func retryExhausted() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await harness.installRecorder(sidecar: "retry:\n  max_attempts: 3\n  initial_backoff: 5ms\n")
        harness.produce("input", count: 20) { $0 == 7 ? "poison-pill" : ($0 == 9 ? "dlq-now" : "ok\($0)") }
        try await harness.withRuntime { runtime in
            try await eventually("18 recorded, 2 dead-lettered") {
                harness.count("recorded") == 18 && harness.count("recorder.dlq") == 2
            }
            try await eventually("committed to the end") {
                harness.broker.committed(group: "sluice.recorder")[TopicPartition("input", 0)] == 20
            }
        }
        let dead = harness.records("recorder.dlq").map(\.record)
        let poison = try #require(dead.first { $0.valueText == "poison-pill" })
        #expect(poison.header("sluice.error") == "gave up after 3 attempts: poison record")
        #expect(poison.header("sluice.source.topic") == "input")
        #expect(poison.header("sluice.source.partition") == "0")
        #expect(poison.header("sluice.source.offset") == "7")
        #expect(poison.header("sluice.agent") == "recorder")
        #expect(poison.header("sluice.plugin.version") == "1.0.0")
        #expect(poison.header("sluice.attempts") == "3")
        #expect(poison.keyText == "k7")
        let direct = try #require(dead.first { $0.valueText == "dlq-now" })
        #expect(direct.header("sluice.error") == "dlq requested by the record")
        #expect(direct.header("sluice.attempts") == "1")
    }

    @Test("on_exhausted: pause holds the partition instead of dead-lettering")
    func pausePolicy() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await harness.installRecorder(sidecar: "batch_size: 1\non_exhausted: pause\nretry:\n  max_attempts: 2\n  initial_backoff: 5ms\n")
        harness.produce("input", count: 5) { $0 == 2 ? "poison" : "ok\($0)" }
        try await harness.withRuntime { runtime in
            try await eventually("agent paused") {
                if case .paused = runtime.agents.first?.state { return true } else { return false }
            }
            let runner = try #require(runtime.agent("recorder"))
            await DedicatedThread.run("test-commit") { runner.commitNow() }  // a runner call may block
            #expect(harness.count("recorded") == 2)
            #expect(harness.count("recorder.dlq") == 0)
            #expect(harness.broker.committed(group: "sluice.recorder")[TopicPartition("input", 0)] == 2)

            // An operator's resume tries the held record again; still poison, so it pauses again.
            let retriedBefore = try #require(runtime.agents.first).retried
            try await runtime.resume(agent: "recorder")
            try await eventually("retried and paused again") {
                guard let status = runtime.agents.first, case .paused = status.state else { return false }
                return status.retried > retriedBefore
            }
            #expect(harness.count("recorded") == 2)
            await #expect(throws: RuntimeControlError.unknownAgent("nope")) { try await runtime.resume(agent: "nope") }
        }
    }

    @Test("an operator's pause stops dispatching; resume carries on with nothing lost")
    func operatorPause() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder()
        try await harness.withRuntime { runtime in
            harness.produce("input", count: 100)
            try await eventually("first records") { harness.count("recorded") == 100 }
            try await runtime.pause(agent: "recorder")
            #expect(runtime.agents.first?.state == .paused("paused by an operator"))
            #expect(!runtime.isReady)
            harness.produce("input", count: 100)
            try await Task.sleep(for: .milliseconds(300))
            #expect(harness.count("recorded") == 100, "nothing dispatched while paused")
            try await runtime.resume(agent: "recorder")
            try await eventually("the rest after resume") { harness.count("recorded") == 200 }
            #expect(runtime.isReady)
        }
    }

    @Test("graceful stop mid-stream commits exactly the finished prefix; the group resumes there")
    func gracefulStopAndResume() async throws {
        var harness = try HostHarness(partitions: 8)
        defer { harness.remove() }
        harness.configuration.agentDefaults.batchSize = 100
        harness.configuration.agentDefaults.maxInFlight = 1000
        try await harness.installRecorder(sidecar: "config:\n  mode: pending\n")
        harness.produce("input", count: 50_000)
        try await harness.withRuntime { first in
            try await eventually("some records handled") {
                let inFlight = first.agents.first?.inFlight ?? 0
                #expect(inFlight <= 1000, "backpressure keeps in-flight records within max_in_flight")
                return harness.count("recorded") >= 5_000
            }
        }
        let handledBefore = harness.records("recorded").compactMap { RecordedLine($0.record) }
        #expect(handledBefore.count < 50_000, "the stop came mid-stream")
        let committed = harness.broker.committed(group: "sluice.recorder")
        for partition in 0..<Int32(8) {
            let handled = handledBefore.filter { $0.partition == partition }.map(\.offset).sorted()
            let prefix = Int64(handled.count)
            #expect(handled == Array(0..<prefix), "partition \(partition) handled a contiguous prefix")
            #expect(committed[TopicPartition("input", partition)] ?? 0 == prefix,
                    "partition \(partition): committed offset is the finished prefix")
        }
        try await harness.withRuntime { second in
            try await eventually("the rest handled") { harness.count("recorded") >= 50_000 }
        }
        try assertExactlyOnce(harness, input: "input", output: "recorded", ordered: false)
    }

    @Test("a FATAL batch stops its agent with the reason; the other agents keep going")
    func fatalStopsOnlyThatAgent() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder(name: "doomed", sidecar: "topics: [bad]\nconfig:\n  output: doomed-out\n")
        try await harness.installRecorder(name: "healthy", sidecar: "topics: [good]\nconfig:\n  output: healthy-out\n")
        harness.produce("bad", count: 1) { _ in "fatal" }
        try await harness.withRuntime { runtime in
            try await eventually("doomed failed") {
                if case .failed = runtime.agent("doomed")?.status.state { return true } else { return false }
            }
            harness.produce("good", count: 500)
            try await eventually("healthy still consuming") { harness.count("healthy-out") == 500 }
            let doomed = try #require(runtime.agent("doomed")?.status)
            #expect(doomed.state == .failed("FATAL from bad[\(doomed.partitions.first?.partition ?? 0)] at offset 0: fatal requested by the record")
                    || doomed.state.description.contains("fatal requested by the record"))
        }
        #expect(harness.broker.committed(group: "sluice.doomed").values.allSatisfy { $0 == 0 })
    }

    @Test("a PENDING batch that is never completed times out, is redelivered, then dead-lettered")
    func pendingTimeout() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await harness.installRecorder(sidecar: """
            batch_size: 1
            batch_timeout: 300ms
            retry:
              max_attempts: 2
              initial_backoff: 5ms
            config:
              mode: pending
            """)
        harness.produce("input", count: 3) { $0 == 1 ? "hang" : "ok\($0)" }
        try await harness.withRuntime { runtime in
            try await eventually("two recorded, one dead-lettered") {
                harness.count("recorded") == 2 && harness.count("recorder.dlq") == 1
            }
        }
        let dead = try #require(harness.records("recorder.dlq").first?.record)
        #expect(dead.valueText == "hang")
        #expect(dead.header("sluice.error")?.contains("did not complete the batch within batch_timeout") == true)
        #expect(harness.broker.committed(group: "sluice.recorder")[TopicPartition("input", 0)] == 3)
    }

    @Test("an on_batch call that never returns stops only its agent")
    func stuckCall() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await harness.installRecorder(name: "stuck", sidecar: "topics: [slow]\nbatch_timeout: 300ms\nconfig:\n  output: stuck-out\n")
        try await harness.installRecorder(name: "healthy", sidecar: "topics: [good]\nconfig:\n  output: healthy-out\n")
        harness.produce("slow", count: 1) { _ in "hang" }
        try await harness.withRuntime { runtime in
            try await eventually("stuck agent failed") {
                if case .failed = runtime.agent("stuck")?.status.state { return true } else { return false }
            }
            #expect(runtime.agent("stuck")?.status.state.description.contains("has not returned within batch_timeout") == true)
            harness.produce("good", count: 200)
            try await eventually("the other agent keeps going") { harness.count("healthy-out") == 200 }
        }
    }

    @Test("broken plugin files are refused with a reason while the good ones run")
    func refusalsBesideGoodPlugins() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await harness.installRecorder()
        try "not a plugin".write(toFile: harness.pluginsDirectory + "/junk.so", atomically: true, encoding: .utf8)
        try await harness.installRecorder(name: "badconfig", sidecar: "topics: [other]\nconfig:\n  mode: turbo\n")
        harness.produce("input", count: 100)
        let runtime = try harness.makeRuntime()
        let reasons = try await withRuntime(runtime) { runtime in
            try await eventually("the good plugin runs") { harness.count("recorded") == 100 }
            let reasons = runtime.refusals.map(\.description)
            return reasons
        }
        #expect(runtime.refusals.count == 2)
        #expect(reasons.contains { $0.contains("junk.so") })
        #expect(reasons.contains { $0.contains("badconfig.so") && $0.contains("mode must be \"sync\" or \"pending\", not \"turbo\"") })
    }

    @Test("a broken sidecar stops the start with a message naming file and key")
    func brokenSidecar() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await harness.installRecorder(sidecar: "batch_size: lots\n")
        let runtime = try harness.makeRuntime()
        let error = await #expect(throws: SluiceRuntime.StartError.self) { try await runtime.start() }
        #expect(error?.description.contains("recorder.yaml") == true)
        #expect(error?.description.contains("batch_size") == true)
    }
}
