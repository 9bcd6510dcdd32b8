import Foundation
import SluiceHost
import Testing
import TestSupport

/// Search mode end to end: the built plugin in the host on memory://, against the stand-in.
@Suite("Elasticsearch plugin: search mode", .serialized)
struct SearchModeTests {
    private func seedArticles(_ standIn: ElasticsearchStandIn) {
        standIn.seed("articles", id: "a1", source: ["title": "Swift concurrency in practice", "year": 2024])
        standIn.seed("articles", id: "a2", source: ["title": "Kafka streams and Faust agents", "year": 2019])
        standIn.seed("articles", id: "a3", source: ["title": "Relevance scoring explained", "year": 2021])
        standIn.seed("articles", id: "a4", source: ["title": "Swift, Swift and more Swift packages", "year": 2023])
        standIn.seed("articles", id: "a5", source: ["title": "Stream processing with Kafka", "year": 2020])
    }

    private func appendQuery(_ harness: HostHarness, key: String, _ json: String, topic: String = "search_queries") {
        harness.broker.append(OutgoingRecord(topic: topic, key: Array(key.utf8), value: Array(json.utf8)))
    }

    @Test("each query's top result is the best-matching document; one _msearch per batch; no hit gives null")
    func topResults() async throws {
        let fixture = try ElasticsearchFixture(partitions: 1)
        defer { fixture.remove() }
        seedArticles(fixture.standIn)
        try fixture.install(settings: "batch_size: 2", config: "index: articles\nmatch_field: title")
        let expected = ["q1": "a4", "q2": "a2", "q3": "a3", "q4": "a1", "q5": nil as String?]
        let queries = ["q1": "swift", "q2": "faust agents", "q3": "RELEVANCE", "q4": "concurrency practice", "q5": "haskell"]
        for key in ["q1", "q2", "q3", "q4", "q5"] {
            appendQuery(fixture.harness, key: key, #"{"query":"\#(queries[key]!)","user":"u-\#(key)"}"#)
        }
        try await fixture.harness.withRuntime { runtime in
            try await eventually("5 enriched queries") { fixture.harness.count("top_results") == 5 }
            try await eventually("offsets committed") { fixture.committedTotal(group: "sluice.elasticsearch", topic: "search_queries") == 5 }
        }

        for (_, record) in fixture.harness.records("top_results") {
            let key = try #require(record.keyText)
            let output = try ElasticsearchFixture.json(record)
            #expect(output["query"] as? String == queries[key], "the query record is kept")
            #expect(output["user"] as? String == "u-\(key)")
            if let id = expected[key] ?? nil {
                let top = try #require(output["top_result"] as? [String: Any], "\(key) has a top result")
                #expect(top["_id"] as? String == id, "\(key): expected \(id)")
                #expect(top["_index"] as? String == "articles")
                #expect((top["_score"] as? NSNumber)?.doubleValue ?? 0 > 0)
                #expect((top["_source"] as? [String: Any])?["title"] is String)
            } else {
                #expect(output["top_result"] is NSNull, "\(key) has no hit: top_result is null")
            }
        }
        // Five queries in batches of two: three _msearch requests, no single _search.
        #expect(fixture.standIn.msearchSizes == [2, 2, 1])
        #expect(fixture.standIn.requests(.msearch) == 3)
        #expect(fixture.standIn.requests(.search) == 0)
        #expect(fixture.harness.count("elasticsearch.dlq") == 0)
    }

    @Test("on_no_hit: dead_letter sends a query without a hit to the dead-letter topic")
    func noHitDeadLetter() async throws {
        let fixture = try ElasticsearchFixture()
        defer { fixture.remove() }
        seedArticles(fixture.standIn)
        try fixture.install(config: "index: articles\nmatch_field: title\non_no_hit: dead_letter")
        appendQuery(fixture.harness, key: "hit", #"{"query":"kafka"}"#)
        appendQuery(fixture.harness, key: "miss", #"{"query":"cobol mainframes"}"#)
        appendQuery(fixture.harness, key: "bad", #"{"q":"no query field"}"#)
        try await fixture.harness.withRuntime { runtime in
            try await eventually("one result and two dead letters") {
                fixture.harness.count("top_results") == 1 && fixture.harness.count("elasticsearch.dlq") == 2
            }
        }
        let result = try #require(fixture.harness.records("top_results").first?.record)
        #expect(result.keyText == "hit")
        // Both Kafka articles score 1; the first indexed wins the tie.
        #expect((try ElasticsearchFixture.json(result)["top_result"] as? [String: Any])?["_id"] as? String == "a2")
        let dead = Dictionary(uniqueKeysWithValues: fixture.harness.records("elasticsearch.dlq").map { ($0.record.keyText ?? "", $0.record) })
        #expect(dead["miss"]?.header("sluice.error")?.contains("no hit") == true)
        #expect(dead["bad"]?.header("sluice.error")?.contains("'query'") == true)
    }

    @Test("a custom query template receives the query text as a JSON value, never pasted into JSON text")
    func customTemplate() async throws {
        let fixture = try ElasticsearchFixture()
        defer { fixture.remove() }
        fixture.standIn.seed("notes", id: "n1", source: ["body": #"he said "} quote"#, "kind": "note"])
        fixture.standIn.seed("notes", id: "n2", source: ["body": "plain text", "kind": "note"])
        try fixture.install(config: """
            index: notes
            query_field: q.text
            output_topic: answers
            output_key_field: id
            query_template:
              match:
                body:
                  query: "{{query}}"
            """)
        // Quotes and braces in the query would break a template pasted as text.
        appendQuery(fixture.harness, key: "in-key", #"{"id":"out-1","q":{"text":"said \"} \\ quote"}}"#)
        try await fixture.harness.withRuntime { runtime in
            try await eventually("one answer") { fixture.harness.count("answers") == 1 }
        }
        let answer = try #require(fixture.harness.records("answers").first?.record)
        #expect(answer.keyText == "out-1", "keyed by output_key_field")
        #expect((try ElasticsearchFixture.json(answer)["top_result"] as? [String: Any])?["_id"] as? String == "n1")
        #expect(fixture.harness.count("elasticsearch.dlq") == 0)
    }

    @Test("basic authentication: the password comes from the environment and reaches the server")
    func basicAuthentication() async throws {
        let expected = "Basic " + Data("elastic:s3cr3t-pw".utf8).base64EncodedString()
        let fixture = try ElasticsearchFixture(requiredAuthorization: expected)
        defer { fixture.remove() }
        setenv("SLUICE_TEST_ES_PASSWORD", "s3cr3t-pw", 1)
        seedArticles(fixture.standIn)
        try fixture.install(config: "index: articles\nmatch_field: title\nauth:\n  username: elastic\n  password_env: SLUICE_TEST_ES_PASSWORD")
        appendQuery(fixture.harness, key: "k", #"{"query":"swift"}"#)
        try await fixture.harness.withRuntime { runtime in
            try await eventually("one result") { fixture.harness.count("top_results") == 1 }
        }
        #expect(fixture.standIn.authorizationHeaders.allSatisfy { $0 == expected })
        #expect(!fixture.standIn.authorizationHeaders.isEmpty)
    }

    @Test("API key authentication; a missing variable refuses the agent without showing any secret")
    func apiKeyAuthentication() async throws {
        let fixture = try ElasticsearchFixture(requiredAuthorization: "ApiKey a2V5LWlkOnNlY3JldA==")
        defer { fixture.remove() }
        setenv("SLUICE_TEST_ES_API_KEY", "a2V5LWlkOnNlY3JldA==", 1)
        seedArticles(fixture.standIn)
        try fixture.install(config: "index: articles\nmatch_field: title\nauth:\n  api_key_env: SLUICE_TEST_ES_API_KEY")
        appendQuery(fixture.harness, key: "k", #"{"query":"kafka"}"#)
        try await fixture.harness.withRuntime { runtime in
            try await eventually("one result") { fixture.harness.count("top_results") == 1 }
        }
        #expect(fixture.standIn.authorizationHeaders.first == "ApiKey a2V5LWlkOnNlY3JldA==")

        // A second host whose variable is not set: the agent is refused, the reason names the variable.
        let unset = try ElasticsearchFixture()
        defer { unset.remove() }
        try unset.install(config: "index: articles\nauth:\n  api_key_env: SLUICE_TEST_ES_UNSET_KEY")
        try await unset.harness.withRuntime { refused in
            let reasons = refused.refusals.map(\.description) + refused.agents.map { "\($0)" }
            #expect(reasons.contains { $0.contains("SLUICE_TEST_ES_UNSET_KEY") }, "\(reasons)")
            #expect(!reasons.contains { $0.contains("a2V5LWlkOnNlY3JldA==") })
        }
    }
}
