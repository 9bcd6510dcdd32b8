import SluiceHTTPClient
import SluicePluginKit
import SluiceSDK

/// Enrich mode: for each order, the market price of its symbol at or before
/// its time, set in the order, which goes to the output topic keyed by the
/// order id. One `/query` request per batch, carrying one statement per
/// distinct (symbol, time); the batch is answered PENDING and completed when
/// InfluxDB answers.
final class PriceEnricher: Sendable {
    /// An order waiting for its price.
    private struct Waiting: Sendable {
        let index: Int
        let id: String
        let statement: Int
        let original: [UInt8]
        let parsed: JSONValue
    }

    private let client: HTTPClient
    private let endpoint: InfluxEndpoint
    private let configuration: InfluxConfiguration
    private let host: HostServices
    private let enriched: Counter
    private let missing: Counter
    private let requestFailures: Counter
    private let failures: LogThrottle

    init(client: HTTPClient, endpoint: InfluxEndpoint, configuration: InfluxConfiguration, host: HostServices) {
        self.client = client
        self.endpoint = endpoint
        self.configuration = configuration
        self.host = host
        enriched = host.counter("influxdb_orders_enriched")
        missing = host.counter("influxdb_prices_missing")
        requestFailures = host.counter("influxdb_query_failures")
        failures = LogThrottle(host: host)
    }

    func handle(_ batch: inout MessageBatch) {
        var query = PriceQuery(measurement: configuration.measurement, field: configuration.field,
                               tag: configuration.tag, retentionPolicy: configuration.retentionPolicy)
        var waiting: [Waiting] = []
        for index in 0..<batch.count {
            let message = batch[index]
            guard let value = message.value else { batch.skip(at: index); continue } // a tombstone is no order
            let bytes = Array(value)
            let parsed: JSONValue
            do { parsed = try JSONValue.parse(bytes) } catch {
                batch.deadLetter(at: index, reason: "invalid JSON value: \(error)")
                continue
            }
            switch lookup(in: parsed) {
            case .failure(let reason):
                batch.deadLetter(at: index, reason: reason.description)
            case .success(let (id, lookup)):
                waiting.append(Waiting(index: index, id: id, statement: query.add(lookup), original: bytes, parsed: parsed))
            }
        }
        guard !waiting.isEmpty else { return }

        let traceparent = batch.traceparent
        let pending = batch.finishLater()
        let statementCount = query.lookups.count
        let orders = waiting
        client.perform([endpoint.queryRequest(query).traced(traceparent)]) { [self] results in
            finish(pending, waiting: orders, statementCount: statementCount, result: results[0])
        }
    }

    /// The order's id and lookup, or why the order cannot be looked up.
    private func lookup(in order: JSONValue) -> Result<(String, PriceQuery.Lookup), RecordRejection> {
        guard case .object = order else { return .failure(.init("the order is not a JSON object")) }
        guard let id = order.value(atPath: configuration.idField)?.scalarText else {
            return .failure(.init("the order has no '\(configuration.idField)'"))
        }
        guard let symbol = order.value(atPath: configuration.symbolField)?.scalarText else {
            return .failure(.init("the order has no '\(configuration.symbolField)'"))
        }
        let timeField = configuration.timeField ?? "timestamp"
        let time: Timestamp
        switch order.value(atPath: timeField) {
        case .string(let text)?:
            guard let parsed = Timestamp(rfc3339: text) else {
                return .failure(.init("'\(timeField)' is not an ISO-8601 time with a zone: \(text)"))
            }
            time = parsed
        case .number(let text)?:
            guard let value = Int64(text), let parsed = Timestamp(value: value, precision: configuration.precision) else {
                return .failure(.init("'\(timeField)' must be an integer in \(configuration.precision.rawValue), found \(text)"))
            }
            time = parsed
        default:
            return .failure(.init("the order has no '\(timeField)' time"))
        }
        return .success((id, PriceQuery.Lookup(symbol: symbol, time: time)))
    }

    /// Runs on the HTTP client's thread: results, produces, completion.
    private func finish(_ pending: PendingBatch, waiting: [Waiting], statementCount: Int,
                        result: Result<HTTPResponse, HTTPClientError>) {
        defer { pending.complete() }
        let response: HTTPResponse
        switch HTTPOutcome.classify(result) {
        case .retry(_, let reason):
            requestFailures.add()
            failures.log(.warning, "InfluxDB query failed, orders will be retried: \(reason)")
            for order in waiting { pending.retry(at: order.index, reason: "InfluxDB query: \(reason)") }
            return
        case .fail(let reason):
            requestFailures.add()
            failures.log(.error, "InfluxDB refused the query: \(reason)")
            for order in waiting { pending.deadLetter(at: order.index, reason: "InfluxDB refused the query: \(reason)") }
            return
        case .success:
            guard case .success(let received) = result else { return }
            response = received
        }
        let answers: [PriceQueryResponse.Answer]
        do { answers = try PriceQueryResponse(body: response.body, statementCount: statementCount).answers } catch {
            requestFailures.add()
            for order in waiting { pending.retry(at: order.index, reason: error.description) }
            return
        }
        for order in waiting {
            let price: JSONValue
            switch answers[order.statement] {
            case .error(let reason):
                pending.retry(at: order.index, reason: reason)
                continue
            case .price(let value):
                price = value
            case .missing:
                missing.add()
                guard configuration.onMissingPrice == .null else {
                    pending.deadLetter(at: order.index, reason: "no market price in InfluxDB at or before the order's time")
                    continue
                }
                price = .null
            }
            let value = OrderEnrichment.setting(configuration.outputField, to: price, in: order.original, parsed: order.parsed)
            do {
                try pending.produce(topic: configuration.output, key: order.id, value: value)
                enriched.add()
            } catch {
                pending.retry(at: order.index, reason: "produce to \(configuration.output) failed: \(error)")
            }
        }
    }
}
