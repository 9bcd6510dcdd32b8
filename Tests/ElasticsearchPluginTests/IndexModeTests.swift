import Foundation
import SluiceHost
import Testing
import TestSupport

/// Index mode end to end: the built plugin in the host on memory://, against the stand-in.
@Suite("Elasticsearch plugin: index mode", .serialized)
struct IndexModeTests {
    private func produceDocuments(_ harness: HostHarness, range: Range<Int>, topic: String = "events") {
        for index in range {
            let value = #"{"event_id":"e\#(index)","amount":\#(index),"text":"event number \#(index)"}"#
            harness.broker.append(OutgoingRecord(topic: topic, key: Array("e\(index)".utf8), value: Array(value.utf8)))
        }
    }

    private let indexSidecar = "topics: [events]\nbatch_size: 500"

    @Test("20k records become 20k documents; redelivering all of them leaves 20k documents")
    func twentyThousand() async throws {
        var fixture = try ElasticsearchFixture(partitions: 8)
        defer { fixture.remove() }
        try fixture.install(settings: indexSidecar, config: "mode: index\nindex: events\nid_field: event_id\nbulk_max_documents: 200")
        produceDocuments(fixture.harness, range: 0..<20_000)
        try await fixture.harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(120), "20k documents") { fixture.standIn.documentCount("events") == 20_000 }
            try await eventually("offsets committed") { fixture.committedTotal(group: "sluice.elasticsearch", topic: "events") == 20_000 }
        }
        #expect(fixture.standIn.bulkItemsReceived == 20_000)
        // 500-record batches split into bulk requests of at most 200 documents.
        #expect(fixture.standIn.requests(.bulk) >= 100)
        let sample = try #require(fixture.standIn.document("events", id: "e12345"))
        #expect(sample["amount"] as? Int == 12345)

        // At-least-once redelivery: a new group reads all 20k again.
        fixture.harness.configuration.group = "again"
        try await fixture.harness.withRuntime { second in
            try await eventually(timeout: .seconds(120), "the 20k redelivered") {
                fixture.committedTotal(group: "again.elasticsearch", topic: "events") == 20_000
            }
        }
        #expect(fixture.standIn.bulkItemsReceived == 40_000)
        #expect(fixture.standIn.documentCount("events") == 20_000)
        #expect(fixture.harness.count("elasticsearch.dlq") == 0)
        // Kept-alive connections: at most max_connections (8) per host run, not one per request.
        #expect(fixture.standIn.connectionsAccepted <= 16)
    }

    @Test("per-item 429s and 503s, and whole-request 503s, are retried until every document is indexed")
    func retriedItems() async throws {
        let fixture = try ElasticsearchFixture()
        defer { fixture.remove() }
        try fixture.install(settings: indexSidecar + "\nretry:\n  max_attempts: 20",
                            config: "mode: index\nindex: events\nid_field: event_id")
        fixture.standIn.failNextRequests(2, status: 503)
        produceDocuments(fixture.harness, range: 0..<1000)
        try await fixture.harness.withRuntime { runtime in
            try await eventually("first documents indexed") { fixture.standIn.documentCount("events") > 0 }
            fixture.standIn.failNextBulkItems(300, status: 429)
            produceDocuments(fixture.harness, range: 1000..<2000)
            try await eventually("2000 documents") { fixture.standIn.documentCount("events") == 2000 }
            fixture.standIn.failNextBulkItems(50, status: 503)
            produceDocuments(fixture.harness, range: 2000..<2500)
            try await eventually("2500 documents") { fixture.standIn.documentCount("events") == 2500 }
            try await eventually("offsets committed") { fixture.committedTotal(group: "sluice.elasticsearch", topic: "events") == 2500 }
        }
        // Every injected item failure was sent again.
        #expect(fixture.standIn.bulkItemsReceived >= 2500 + 300 + 50)
        #expect(fixture.harness.count("elasticsearch.dlq") == 0)
    }

    @Test("a document the server rejects with 400 goes to the dead-letter topic with its reason; the rest are indexed")
    func rejectedDocument() async throws {
        let fixture = try ElasticsearchFixture()
        defer { fixture.remove() }
        fixture.standIn.createIndex("events", mappings: ["amount": "long"])
        fixture.standIn.rejectDocuments(reason: "failed to parse field [text] (injected)") { ($0["event_id"] as? String) == "e42" }
        try fixture.install(settings: indexSidecar, config: "mode: index\nindex: events\nid_field: event_id")
        produceDocuments(fixture.harness, range: 0..<100)
        fixture.harness.broker.append(OutgoingRecord(topic: "events", key: Array("bad".utf8),
                                                     value: Array(#"{"event_id":"bad","amount":"lots"}"#.utf8)))
        fixture.harness.broker.append(OutgoingRecord(topic: "events", key: Array("not-json".utf8), value: Array("oops".utf8)))
        try await fixture.harness.withRuntime { runtime in
            try await eventually("99 documents and 3 dead letters") {
                fixture.standIn.documentCount("events") == 99 && fixture.harness.count("elasticsearch.dlq") == 3
            }
            try await eventually("offsets committed") { fixture.committedTotal(group: "sluice.elasticsearch", topic: "events") == 102 }
        }
        let dead = Dictionary(uniqueKeysWithValues: fixture.harness.records("elasticsearch.dlq").map { ($0.record.keyText ?? "", $0.record) })
        let reason = try #require(dead["bad"]?.header("sluice.error"))
        #expect(reason.contains("mapper_parsing_exception"))
        #expect(reason.contains("failed to parse field [amount] of type [long]"))
        #expect(dead["not-json"]?.header("sluice.error")?.contains("not a JSON object") == true)
        #expect(dead["e42"]?.header("sluice.error") == "mapper_parsing_exception: failed to parse field [text] (injected)")
        #expect(fixture.standIn.document("events", id: "bad") == nil)
    }

    @Test("the stand-in down for 5 s: nothing is lost, nothing is dead-lettered")
    func serverDown() async throws {
        let fixture = try ElasticsearchFixture()
        defer { fixture.remove() }
        try fixture.install(settings: indexSidecar + "\nretry:\n  max_attempts: 1000\n  initial_backoff: 50ms\n  max_backoff: 250ms",
                            config: "mode: index\nindex: events\nid_field: event_id\nconnect_timeout_ms: 1000")
        produceDocuments(fixture.harness, range: 0..<1000)
        let connectionsBefore = try await fixture.harness.withRuntime { runtime in
            try await eventually("1000 documents") { fixture.standIn.documentCount("events") == 1000 }
            let connectionsBefore = fixture.standIn.connectionsAccepted
            fixture.standIn.goDown(for: .seconds(5))
            produceDocuments(fixture.harness, range: 1000..<3000)
            try await eventually("the stand-in is back") { fixture.standIn.isUp }
            try await eventually(timeout: .seconds(60), "3000 documents") { fixture.standIn.documentCount("events") == 3000 }
            try await eventually("offsets committed") { fixture.committedTotal(group: "sluice.elasticsearch", topic: "events") == 3000 }
            return connectionsBefore
        }
        #expect(fixture.harness.count("elasticsearch.dlq") == 0)
        #expect(fixture.standIn.documentIDs("events") == Set((0..<3000).map { "e\($0)" }))
        #expect(fixture.standIn.connectionsAccepted > connectionsBefore, "the plugin reconnected after the outage")
    }
}
