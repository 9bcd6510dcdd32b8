import SluiceHTTPClient
import SluiceInfluxDBPlugin
import Testing

/// The HTTP requests built for InfluxDB: encoded values, credentials only in a header.
@Suite("Endpoint")
struct EndpointTests {
    private let endpoint = InfluxEndpoint(baseURL: "http://influx:8086/", database: "market data&x", retentionPolicy: "one week",
                                          username: "sluice", password: "s3cr3t")

    @Test("a write: POST /write with encoded db, rp and precision; lines newline-terminated")
    func write() {
        let request = endpoint.writeRequest(lines: ["m v=1 1", "m v=2 2"], precision: .microseconds)
        #expect(request.method == "POST")
        #expect(request.url == "http://influx:8086/write?db=market%20data%26x&precision=u&rp=one%20week")
        #expect(String(decoding: request.body, as: UTF8.self) == "m v=1 1\nm v=2 2\n")
    }

    @Test("a query: POST /query with a form body; the password is only in the Authorization header")
    func query() {
        var query = PriceQuery(measurement: "marketdata", field: "price", tag: "symbol")
        _ = query.add(.init(symbol: "A&B=C", time: Timestamp(nanoseconds: 0)))
        let request = endpoint.queryRequest(query)
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(request.url == "http://influx:8086/query")
        #expect(body.hasPrefix("db=market%20data%26x&q=SELECT%20last%28%22price%22%29"))
        #expect(body.contains("&params=%7B%22symbol0%22%3A%22A%26B%3DC%22"))
        #expect(request.headers.contains(HTTPHeader("Authorization", "Basic c2x1aWNlOnMzY3IzdA==")))
        #expect(!request.url.contains("s3cr3t") && !body.contains("s3cr3t"))
    }
}
