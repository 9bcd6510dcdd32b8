import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// `sluice read` reads a topic larger than one page of the admin API
/// (at most 1,000 records per request) by following each page's `next`.
@Suite("sluice read: page after page")
struct ReadPagingCLITests {
    private func sluice(_ arguments: [String]) async throws -> String {
        try SluiceBinary.require()
        return try await ProcessRunner.run([SluiceBinary.path] + arguments).output
    }

    @Test("every record of a 2,500-record topic, once each and in offset order per partition; --limit stops early")
    func readsEveryPage() async throws {
        try await AdminTestHost(partitions: 3).run { host in
            host.harness.produce("big", count: 2_500)
            let admin = ["--admin", host.baseURL]

            let lines = try await sluice(["read", "big"] + admin).split(separator: "\n")
            #expect(lines.count == 2_500)
            let positions = lines.map { $0.prefix { $0 != " " } }
            #expect(Set(positions).count == 2_500, "each record once")

            let json = try await sluice(["read", "big", "--json"] + admin)
            let report = try JSONDecoder().decode(TopicRecordsReport.self, from: Data(json.utf8))
            #expect(Set(report.records.compactMap(\.value)) == Set((0..<2_500).map { "v\($0)" }))
            for partition in Set(report.records.map(\.partition)) {
                let offsets = report.records.filter { $0.partition == partition }.map(\.offset)
                #expect(offsets == Array(0..<Int64(offsets.count)), "partition \(partition) in order, from 0")
            }

            let limited = try await sluice(["read", "big", "--limit", "1200"] + admin).split(separator: "\n")
            #expect(limited.count == 1_200)
        }
    }
}
