import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// `GET /topics/{topic}/messages` answers in pages, so a large topic is never
/// copied and encoded whole.
@Suite("Admin API topic paging")
struct AdminPagingTests {
    private static func page(_ host: AdminTestHost, _ query: String) async throws -> TopicRecordsPage {
        let answer = try await HTTPExchange.get(host.baseURL, "/topics/paged/messages" + query)
        #expect(answer.status == 200, "\(query): \(answer.text)")
        return try JSONDecoder().decode(TopicRecordsPage.self, from: answer.body)
    }

    @Test("250 records read in pages of 100 by following next: each record once, partition by partition in offset order")
    func followNext() async throws {
        try await AdminTestHost(partitions: 4).run { host in
            host.harness.produce("paged", count: 250)
            var seen: [TopicRecordsPage.Position] = []
            var query = ""
            var pages = 0
            while true {
                let page = try await Self.page(host, query)
                pages += 1
                #expect(page.records.count <= 100)
                seen += page.records.map { .init(partition: $0.partition, offset: $0.offset) }
                guard let next = page.next else { break }
                #expect(page.records.count == 100, "a page with a next is full")
                query = "?partition=\(next.partition)&offset=\(next.offset)"
                #expect(pages < 10, "paging does not end")
                if pages >= 10 { break }
            }
            #expect(pages == 3)
            #expect(seen.count == 250)
            let expected = (0..<4).flatMap { partition in
                (0..<host.harness.broker.endOffset(TopicPartition("paged", Int32(partition)))).map {
                    TopicRecordsPage.Position(partition: Int32(partition), offset: $0)
                }
            }
            #expect(seen == expected)
        }
    }

    @Test("limit sets the page size (at most 1000); next is null on the last page; the JSON always has next")
    func limitAndLastPage() async throws {
        try await AdminTestHost(partitions: 1).run { host in
            host.harness.produce("paged", count: 5)
            let first = try await Self.page(host, "?limit=2")
            #expect(first.records.map(\.offset) == [0, 1])
            #expect(first.next == .init(partition: 0, offset: 2))
            let last = try await Self.page(host, "?limit=3&offset=2")
            #expect(last.records.map(\.offset) == [2, 3, 4])
            #expect(last.next == nil)
            let raw = try await HTTPExchange.get(host.baseURL, "/topics/paged/messages?offset=2&limit=3")
            #expect(raw.text.contains(#""next":null"#), "\(raw.text)")
            let beyond = try await Self.page(host, "?offset=99")
            #expect(beyond.records.isEmpty && beyond.next == nil)
            let none = try await HTTPExchange.get(host.baseURL, "/topics/no-such-topic/messages")
            #expect(none.status == 200 && none.text.contains(#""records":[]"#), "\(none.text)")
        }
    }

    @Test("the default page holds 100 records")
    func defaultLimit() async throws {
        try await AdminTestHost(partitions: 1).run { host in
            host.harness.produce("paged", count: 150)
            let page = try await Self.page(host, "")
            #expect(page.records.count == 100)
            #expect(page.next == .init(partition: 0, offset: 100))
        }
    }

    @Test("an invalid, repeated or unknown query parameter is a 400 naming it", arguments: [
        ("?limit=0", "\"limit\": expected an integer from 1 to 1000, found \"0\""),
        ("?limit=1001", "\"limit\": expected an integer from 1 to 1000"),
        ("?limit=abc", "found \"abc\""),
        ("?offset=-1", "\"offset\": expected an integer of at least 0"),
        ("?partition=x", "\"partition\""),
        ("?limit=1&limit=2", "\"limit\" is given 2 times"),
        ("?cursor=5", "unknown query parameter \"cursor\""),
    ])
    func badQuery(query: String, expected: String) async throws {
        try await AdminTestHost(partitions: 1).run { host in
            let answer = try await HTTPExchange.get(host.baseURL, "/topics/paged/messages" + query)
            #expect(answer.status == 400, "\(answer.text)")
            #expect(answer.errorMessage?.contains(expected) == true, "\(answer.text)")
        }
    }

    @Test("the transport reads at most limit records, from the given partition and offset on")
    func transportLimit() throws {
        let broker = MemoryBroker(defaultPartitions: 3)
        let transport = MemoryTransport(broker: broker)
        for index in 0..<30 {
            broker.append(OutgoingRecord(topic: "t", partition: Int32(index % 3), key: nil, value: Array("v\(index)".utf8)))
        }
        let read = try transport.readRecords(topic: "t", partition: 1, offset: 8, limit: 5)
        #expect(read.map(\.partition.partition) == [1, 2])
        #expect(read[0].records.map(\.offset) == [8, 9])
        #expect(read[1].records.map(\.offset) == [0, 1, 2])
        #expect(try transport.readRecords(topic: "t").flatMap(\.records).count == 30)
    }
}
