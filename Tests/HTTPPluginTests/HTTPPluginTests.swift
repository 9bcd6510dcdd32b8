import Foundation
import SluiceHost
import Testing
import TestSupport

/// The http plugin (libSluiceHTTP.so) in the host on memory://, against a
/// recording HTTP server with fault injection.
@Suite("http plugin", .serialized)
struct HTTPPluginTests {
    /// A harness with the plugin installed as `http`, sending to `server`.
    private func install(_ server: HTTPRecordingServer, config: String = "", maxAttempts: Int = 1000) throws -> HostHarness {
        var harness = try HostHarness(partitions: 4)
        harness.configuration.agentDefaults.batchSize = 200
        // The variables the sidecars' `${NAME}` headers may read.
        harness.configuration.pluginEnvironment = ["SLUICE_HTTP_TEST_TOKEN", "SLUICE_HTTP_TEST_UNSET"]
        let sidecar = """
            topics: [orders]
            retry:
              max_attempts: \(maxAttempts)
              initial_backoff: 10ms
              max_backoff: 200ms
            config:
              url: \(server.baseURL)/send/{user_id}
            \(config.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            """
        try harness.installBuiltPlugin(product: "SluiceHTTP", as: "http", sidecar: sidecar)
        return harness
    }

    private func order(_ index: Int, user: String? = nil, symbol: String = "ACME", quantity: Int? = nil) -> OutgoingRecord {
        let json = #"{"id":"o\#(index)","user_id":"\#(user ?? "u\(index)")","symbol":"\#(symbol)","quantity":\#(quantity ?? index),"price":2.5}"#
        return OutgoingRecord(topic: "orders", key: Array("o\(index)".utf8), value: Array(json.utf8))
    }

    /// Each dead letter's `sluice.error` reason, by record key.
    private func deadLetterReasons(_ harness: HostHarness) -> [String: String] {
        Dictionary(uniqueKeysWithValues: harness.records("http.dlq").map { ($0.record.keyText ?? "", $0.record.header("sluice.error") ?? "") })
    }

    private func expectedBody(user: String, quantity: Int, symbol: String) -> String {
        #"{"body":"Order: \#(quantity) shares of \#(symbol)","subject":"Order Confirmation","user":"\#(user)"}"#
    }

    @Test("10k orders → 10k requests with exactly the expected bodies and headers, over ≤ 4 connections")
    func tenThousandOrders() async throws {
        setenv("SLUICE_HTTP_TEST_TOKEN", "s3cret-token", 1)
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let harness = try install(server, config: """
            max_in_flight_requests: 4
            headers:
              Authorization: Bearer ${SLUICE_HTTP_TEST_TOKEN}
              X-Source: sluice
            """)
        defer { harness.remove() }
        // Order 0 is the Faust example verbatim; order 1's user needs escaping in the URL.
        harness.broker.append(order(0, user: "5", symbol: "AAPL", quantity: 100))
        harness.broker.append(order(1, user: "a/b c"))
        for index in 2..<10_000 { harness.broker.append(order(index, symbol: "S\(index % 7)")) }
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(180), "10k requests") { server.requestCount >= 10_000 }
            try await Task.sleep(for: .milliseconds(300)) // a duplicate would show up by now
        }

        let requests = server.requests
        #expect(requests.count == 10_000)
        var expected: [String: String] = [
            "/send/5": expectedBody(user: "5", quantity: 100, symbol: "AAPL"),
            "/send/a%2Fb%20c": expectedBody(user: "a/b c", quantity: 1, symbol: "ACME"),
        ]
        for index in 2..<10_000 { expected["/send/u\(index)"] = expectedBody(user: "u\(index)", quantity: index, symbol: "S\(index % 7)") }
        var actual: [String: String] = [:]
        for request in requests { actual[request.target] = request.bodyText }
        #expect(actual == expected)
        #expect(actual["/send/5"] == #"{"body":"Order: 100 shares of AAPL","subject":"Order Confirmation","user":"5"}"#)
        let wrongHeaders = requests.filter {
            $0.method != "POST" || $0.header("Authorization") != "Bearer s3cret-token" || $0.header("X-Source") != "sluice"
                || $0.header("Content-Type") != "application/json"
        }
        #expect(wrongHeaders.isEmpty)
        #expect(server.acceptedConnections <= 4)
        #expect(harness.count("http.dlq") == 0)
    }

    @Test("503 twice then 200 → delivered once, after two retries")
    func serviceUnavailableTwice() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        server.enqueue([.status(503), .status(503)])
        let harness = try install(server)
        defer { harness.remove() }
        harness.broker.append(order(7))
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(30), "three requests") { server.requestCount >= 3 }
            try await Task.sleep(for: .milliseconds(300))
        }
        let requests = server.requests
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.bodyText)) == [expectedBody(user: "u7", quantity: 7, symbol: "ACME")])
        #expect(harness.count("http.dlq") == 0)
    }

    @Test("429 with Retry-After: 1 → the retry comes ≥ 1 s later")
    func retryAfter() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        server.enqueue([.respond(status: 429, headers: ["Retry-After": "1"])])
        let harness = try install(server)
        defer { harness.remove() }
        harness.broker.append(order(3))
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(30), "the retry") { server.requestCount >= 2 }
        }
        let requests = server.requests
        #expect(requests.count == 2)
        let waited = requests[1].receivedAt.timeIntervalSince(requests[0].receivedAt)
        #expect(waited >= 1.0, "the retry came \(waited) s after the 429")
        #expect(harness.count("http.dlq") == 0)
    }

    @Test("400 → dead letter with the status and an excerpt of the body; the next order is delivered")
    func badRequest() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        server.setResponder { request in
            request.path == "/send/u1" ? .status(400, body: "invalid recipient u1: " + String(repeating: "x", count: 500)) : nil
        }
        let harness = try install(server, config: "max_in_flight_requests: 1")
        defer { harness.remove() }
        harness.broker.append(order(1))
        harness.broker.append(order(2))
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(30), "a dead letter and a delivery") {
                harness.count("http.dlq") == 1 && server.requestCount >= 2
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(server.requestCount == 2)
        let dead = try #require(harness.records("http.dlq").first?.record)
        #expect(dead.keyText == "o1")
        let reason = try #require(dead.header("sluice.error"))
        #expect(reason.hasPrefix("HTTP 400: invalid recipient u1: xxx"))
        #expect(reason.count <= "HTTP 400: ".count + 200)
    }

    @Test("a server that never answers → timeout → retry → delivered")
    func neverAnswers() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        server.enqueue([.hang])
        let harness = try install(server, config: "timeout_ms: 300")
        defer { harness.remove() }
        harness.broker.append(order(9))
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(30), "the retried request") { server.requestCount >= 2 }
            try await Task.sleep(for: .milliseconds(300))
        }
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(Set(requests.map(\.bodyText)).count == 1)
        #expect(harness.count("http.dlq") == 0)
    }

    @Test("server down for 5 s mid-run → nothing lost")
    func serverDown() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let harness = try install(server, config: "max_in_flight_requests: 4")
        defer { harness.remove() }
        for index in 0..<3000 { harness.broker.append(order(index)) }
        let deliveredBefore = try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(60), "some requests before the outage") { server.requestCount >= 300 }
            server.goDown()
            let deliveredBefore = Set(server.requests.map(\.target)).count
            try await Task.sleep(for: .seconds(5))
            try server.comeBack()
            try await eventually(timeout: .seconds(120), "every order delivered") {
                Set(server.requests.map(\.target)).count >= 3000
            }
            return deliveredBefore
        }
        #expect(deliveredBefore < 3000, "the outage happened mid-run")
        #expect(Set(server.requests.map(\.target)) == Set((0..<3000).map { "/send/u\($0)" }))
        #expect(harness.count("http.dlq") == 0)
        let committed = harness.broker.committed(group: "sluice.http")
        for partition in 0..<Int32(4) {
            let tp = TopicPartition("orders", partition)
            #expect(committed[tp] == harness.broker.endOffset(tp))
        }
    }

    @Test("a custom body template keeps field types; a record without a field is dead-lettered; PUT and nested fields")
    func customTemplate() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let harness = try install(server, config: """
            method: PUT
            body:
              to: "{user_id}"
              count: "{quantity}"
              price: "{price}"
              line: "{quantity} × {symbol} at {price} ({{literal}})"
              meta: {source: sluice, tags: ["{symbol}"]}
              fixed: 7
            """)
        defer { harness.remove() }
        harness.broker.append(order(1, quantity: 3))
        harness.broker.append(OutgoingRecord(topic: "orders", key: Array("bad".utf8), value: Array(#"{"symbol":"X"}"#.utf8)))
        harness.broker.append(OutgoingRecord(topic: "orders", key: Array("notjson".utf8), value: Array("hello".utf8)))
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(30), "one request and two dead letters") {
                server.requestCount >= 1 && harness.count("http.dlq") >= 2
            }
        }
        let request = try #require(server.requests.first)
        #expect(server.requestCount == 1)
        #expect(request.method == "PUT")
        #expect(request.bodyText == #"{"count":3,"fixed":7,"line":"3 × ACME at 2.5 ({literal})","meta":{"source":"sluice","tags":["ACME"]},"price":2.5,"to":"u1"}"#)
        let reasons = deadLetterReasons(harness)
        #expect(reasons["bad"] == "cannot build the request: the record has no field 'user_id'")
        #expect(reasons["notjson"] == "cannot build the request: the record value is not valid JSON (malformed JSON at byte 0: expected a value)")
    }

    @Test("record values reach the body as written: 1.10, a 20-digit integer, 1E400; the last of duplicate keys; nested fields")
    func valuesAsWritten() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let harness = try install(server, config: """
            body:
              price: "{price}"
              big: "{big}"
              huge: "{huge}"
              user: "{user_id}"
              city: "{customer.address.city}"
              line: "{customer.name} pays {price} for {big}"
              customer: "{customer}"
            """)
        defer { harness.remove() }
        let value = #"{"user_id":"first","price":1.10,"big":12345678901234567890,"huge":1E400,"#
            + #""customer":{"name":"Ann","address":{"city":"Oslo"}},"user_id":"last"}"#
        harness.broker.append(OutgoingRecord(topic: "orders", key: Array("o1".utf8), value: Array(value.utf8)))
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(30), "the request") { server.requestCount >= 1 }
        }
        let request = try #require(server.requests.first)
        #expect(server.requestCount == 1)
        #expect(request.target == "/send/last")
        // Template members sorted by key; the record's own object keeps its member order.
        #expect(request.bodyText == #"{"big":12345678901234567890,"city":"Oslo","customer":{"name":"Ann","address":{"city":"Oslo"}},"#
            + #""huge":1E400,"line":"Ann pays 1.10 for 12345678901234567890","price":1.10,"user":"last"}"#)
        #expect(harness.count("http.dlq") == 0)
    }

    @Test("a record value that is JSON but not an object is dead-lettered, naming what it is; the next order is delivered")
    func nonObjectRecords() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let harness = try install(server, config: "max_in_flight_requests: 1")
        defer { harness.remove() }
        let values = ["array": "[1,2]", "string": #""u1""#, "number": "42", "null": "null", "cut": #"{"user_id":"#]
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            harness.broker.append(OutgoingRecord(topic: "orders", key: Array(key.utf8), value: Array(value.utf8)))
        }
        harness.broker.append(order(1))
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(30), "five dead letters and one request") {
                harness.count("http.dlq") >= 5 && server.requestCount >= 1
            }
        }
        let reasons = deadLetterReasons(harness)
        #expect(reasons == [
            "array": "cannot build the request: the record value is an array, not a JSON object",
            "string": "cannot build the request: the record value is a string, not a JSON object",
            "number": "cannot build the request: the record value is a number, not a JSON object",
            "null": "cannot build the request: the record value is null, not a JSON object",
            "cut": "cannot build the request: the record value is not valid JSON (malformed JSON at byte 11: expected a value)",
        ])
        #expect(server.requests.map(\.target) == ["/send/u1"])
    }

    @Test("passthrough sends the record value unchanged")
    func passthrough() async throws {
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let harness = try install(server, config: "passthrough: true\nheaders:\n  Content-Type: application/x-order")
        defer { harness.remove() }
        let value = #"{"id":"o1","user_id":"u1","symbol":"ACME","quantity":1,"price":2.5}"#
        harness.broker.append(OutgoingRecord(topic: "orders", key: nil, value: Array(value.utf8)))
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(30), "the request") { server.requestCount >= 1 }
        }
        let request = try #require(server.requests.first)
        #expect(request.bodyText == value)
        #expect(request.target == "/send/u1")
        #expect(request.header("Content-Type") == "application/x-order")
    }

    @Test("a header referencing an unset environment variable refuses the agent, naming the variable")
    func missingSecret() async throws {
        unsetenv("SLUICE_HTTP_TEST_UNSET")
        let server = try HTTPRecordingServer()
        defer { server.stop() }
        let harness = try install(server, config: "headers:\n  Authorization: Bearer ${SLUICE_HTTP_TEST_UNSET}")
        defer { harness.remove() }
        // The refusal is the runtime's, not a start error: a start that throws fails the test.
        let problems = try await harness.withRuntime { runtime in
            runtime.refusals.map(\.description) + runtime.agents.map(\.state.description)
        }
        #expect(problems.contains { $0.contains("SLUICE_HTTP_TEST_UNSET") && $0.contains("Authorization") }, "\(problems)")
    }
}
