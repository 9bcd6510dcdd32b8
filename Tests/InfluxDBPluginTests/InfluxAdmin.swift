import Foundation
import SluiceHTTPClient
import SluiceInfluxDBPlugin
import SluicePluginKit
import TestSupport

/// Test-side access to an influxd: create and drop databases, write seed
/// points, run queries. Goes through the same shared HTTP client as the plugin.
struct InfluxAdmin {
    let url: String
    let database: String
    private let client: HTTPClient

    /// A unique database (`sluice_<tag>_<random>`) on `url`, created now.
    init(url: String, tag: String) throws {
        self.url = url
        database = "sluice_\(tag)_\(UUID().uuidString.prefix(8).lowercased())"
        client = try HTTPClient()
        try command("CREATE DATABASE \(InfluxQL.quoteIdentifier(database))")
    }

    /// Runs a statement that needs no database (CREATE/DROP DATABASE).
    func command(_ statement: String) throws {
        let body = "q=" + InfluxEndpoint.percentEncoded(statement)
        let response = try perform(HTTPRequest(method: "POST", url: url + "/query",
                                               headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
                                               body: Array(body.utf8)))
        guard response.status == 200, !response.bodyText.contains("\"error\"") else {
            throw HarnessError("\(statement): HTTP \(response.status) \(response.bodyText)")
        }
    }

    /// Writes line protocol (precision `s` unless told).
    func write(_ lines: [String], precision: String = "s") throws {
        let response = try perform(HTTPRequest(method: "POST", url: url + "/write?db=\(database)&precision=\(precision)",
                                               body: Array(lines.joined(separator: "\n").utf8)))
        guard response.status == 204 else { throw HarnessError("write: HTTP \(response.status) \(response.bodyText)") }
    }

    /// Runs one query in the database; returns the rows of the first series
    /// (every series' rows, concatenated, when `allSeries`).
    func rows(_ query: String, allSeries: Bool = false) throws -> [[JSONValue]] {
        let body = "db=\(database)&epoch=ns&q=" + InfluxEndpoint.percentEncoded(query)
        let response = try perform(HTTPRequest(method: "POST", url: url + "/query",
                                               headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
                                               body: Array(body.utf8)))
        guard response.status == 200 else { throw HarnessError("query: HTTP \(response.status) \(response.bodyText)") }
        let root = try JSONValue.parse(response.body)
        guard case .array(let results)? = root["results"], let first = results.first else { throw HarnessError("no results: \(response.bodyText)") }
        if let error = first["error"]?.stringValue { throw HarnessError("InfluxQL: \(error)") }
        guard case .array(let series)? = first["series"] else { return [] }
        var out: [[JSONValue]] = []
        for one in (allSeries ? series : Array(series.prefix(1))) {
            guard case .array(let values)? = one["values"] else { continue }
            for row in values { if case .array(let cells) = row { out.append(cells) } }
        }
        return out
    }

    /// The number of points of `measurement` (counting `field`).
    func count(_ measurement: String, field: String) throws -> Int {
        let rows = try rows("SELECT count(\(InfluxQL.quoteIdentifier(field))) FROM \(InfluxQL.quoteIdentifier(measurement))")
        guard let cell = rows.first?.last, case .number(let text) = cell else { return 0 }
        return Int(text) ?? 0
    }

    /// Drops the database.
    func drop() { try? command("DROP DATABASE \(InfluxQL.quoteIdentifier(database))") }

    private func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        try client.perform([request])[0].get()
    }
}
