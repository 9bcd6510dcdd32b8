import Foundation
import Testing
import TestSupport

/// InfluxDB 1.x through libcurl against the local influxd: the v1 HTTP API
/// the influxdb plugin uses (`/ping`, `/query`, `/write` line protocol).
@Suite("InfluxDB (libcurl ↔ influxd)")
struct InfluxSmokeTests {
    @Test("GET /ping answers 204", .timeLimit(.minutes(1)))
    func ping() throws {
        let base = try TestServices.influxURL()
        let response = try CurlRequest(url: base + "/ping").perform()
        #expect(response.status == 204)
    }

    @Test("create database, write a point, query it back", .timeLimit(.minutes(1)))
    func writeAndQuery() throws {
        let base = try TestServices.influxURL()
        let database = "sluice_smoke_\(UUID().uuidString.prefix(8).lowercased())"
        defer { _ = try? CurlRequest(url: base + "/query", postBody: "q=" + "DROP DATABASE \(database)".queryEncoded).perform() }

        let created = try CurlRequest(url: base + "/query", postBody: "q=" + "CREATE DATABASE \(database)".queryEncoded).perform()
        #expect(created.status == 200, "CREATE DATABASE: \(String(decoding: created.body, as: UTF8.self))")

        let written = try CurlRequest(url: base + "/write?db=\(database)&precision=s",
                                      postBody: "market_price,symbol=ACME price=42.5 1700000000").perform()
        #expect(written.status == 204, "write: \(String(decoding: written.body, as: UTF8.self))")

        let query = "SELECT price FROM market_price WHERE symbol = 'ACME'"
        let answer = try CurlRequest(url: base + "/query?db=\(database)&q=\(query.queryEncoded)").perform()
        try #require(answer.status == 200, "query: \(String(decoding: answer.body, as: UTF8.self))")

        let series = try #require(try Self.firstSeries(answer.body), "no series in \(String(decoding: answer.body, as: UTF8.self))")
        #expect(series.name == "market_price")
        #expect(series.columns == ["time", "price"])
        let row = try #require(series.values.first)
        #expect(row.first == .text("2023-11-14T22:13:20Z"))
        #expect(row.last == .number(42.5))
    }

    /// The parts of an InfluxQL `/query` answer the test reads.
    private struct QueryAnswer: Decodable {
        struct Result: Decodable {
            let error: String?
            let series: [Series]?
        }
        let results: [Result]
    }

    private struct Series: Decodable {
        let name: String
        let columns: [String]
        let values: [[Cell]]
    }

    /// A cell of a result row: a timestamp string or a number.
    private enum Cell: Decodable, Equatable {
        case text(String)
        case number(Double)

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
        }
    }

    private static func firstSeries(_ body: Data) throws -> Series? {
        let answer = try JSONDecoder().decode(QueryAnswer.self, from: body)
        let result = try #require(answer.results.first)
        if let error = result.error { throw SmokeFailure("InfluxQL error: \(error)") }
        return result.series?.first
    }
}
