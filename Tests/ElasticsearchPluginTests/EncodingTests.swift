import Foundation
@testable import SluiceElasticsearchPlugin
import SluicePluginKit
import Testing

/// The NDJSON encoders, the response parsers and the configuration, without a server.
@Suite("Elasticsearch plugin: encoding and parsing")
struct EncodingTests {
    private func lines(_ body: [UInt8]) throws -> [[String: Any]] {
        #expect(body.last == 10, "NDJSON bodies end with a newline")
        return try body.split(separator: 10).map {
            try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])
        }
    }

    private func configuration(_ json: String) throws -> ElasticsearchConfiguration {
        try ElasticsearchConfiguration.decode(from: Data(json.utf8))
    }

    @Test("_msearch: a header and a body line per query; the query text is a JSON string value")
    func multiSearchBody() throws {
        let template = try configuration(#"{"index":"docs","match_field":"title"}"#).effectiveQueryTemplate
        var request = MultiSearchRequest(index: "docs", template: template)
        request.append(query: "plain")
        request.append(query: "tricky \"}, {\"match_all\": {}} \n line")
        let parsed = try lines(request.body)
        #expect(parsed.count == 4)
        #expect(parsed[0]["index"] as? String == "docs")
        #expect(parsed[1]["size"] as? Int == 1)
        let match = try #require((parsed[3]["query"] as? [String: Any])?["match"] as? [String: Any])
        #expect(match["title"] as? String == "tricky \"}, {\"match_all\": {}} \n line")
        #expect(request.count == 2)
    }

    @Test("_bulk: action and source lines, split by document count and by bytes")
    func bulkSplit() throws {
        let documents = (0..<10).map { BulkDocument(messageIndex: $0, id: "id\"\($0)", source: Array(#"{"n":\#($0)}"#.utf8)) }
        let byCount = BulkRequest.split(documents, index: "ev", action: .index, maxDocuments: 4, maxBytes: 1 << 20)
        #expect(byCount.map(\.messageIndices.count) == [4, 4, 2])
        let first = try lines(byCount[0].body)
        #expect(((first[0]["index"] as? [String: Any])?["_id"] as? String) == "id\"0")
        #expect(((first[0]["index"] as? [String: Any])?["_index"] as? String) == "ev")
        #expect(first[1]["n"] as? Int == 0)
        let oneSize = byCount[2].body.count / 2
        let byBytes = BulkRequest.split(documents, index: "ev", action: .create, maxDocuments: 100, maxBytes: oneSize * 3)
        #expect(byBytes.allSatisfy { $0.body.count <= oneSize * 3 + 2 })
        #expect(byBytes.flatMap(\.messageIndices) == Array(0..<10))
        #expect(try lines(byBytes[0].body)[0]["create"] != nil)
        // A document larger than the limit still goes, alone.
        #expect(BulkRequest.split(documents, index: "ev", action: .index, maxDocuments: 100, maxBytes: 1).count == 10)
    }

    @Test("_bulk: the action line is the same bytes every time, as Elasticsearch's clients write it")
    func bulkActionLine() {
        let documents = [BulkDocument(messageIndex: 0, id: "d\"1", source: Array(#"{"n":1}"#.utf8))]
        let body = BulkRequest.split(documents, index: "ev", action: .create, maxDocuments: 10, maxBytes: 1 << 20)[0].body
        #expect(String(decoding: body, as: UTF8.self) == "{\"create\":{\"_index\":\"ev\",\"_id\":\"d\\\"1\"}}\n{\"n\":1}\n")
    }

    private func document(_ value: String, idField: String?) throws(BulkDocumentError) -> BulkDocument {
        // withUnsafeBytes rethrows untyped errors: carry the outcome out as a value.
        let outcome: Result<BulkDocument, BulkDocumentError> = Array(value.utf8).withUnsafeBytes { buffer in
            Result { () throws(BulkDocumentError) in
                try BulkDocument.make(value: buffer, messageIndex: 7, idField: idField) { "events-2-41" }
            }
        }
        return try outcome.get()
    }

    @Test("_bulk documents from records: _id from a field (string, number, dotted path) or topic-partition-offset; sources kept or made one line")
    func bulkDocuments() throws {
        let plain = #"{"event_id":"e1","amount":1.10,"user":{"id":42}}"#
        let byField = try document(plain, idField: "event_id")
        #expect(byField.id == "e1" && byField.messageIndex == 7)
        #expect(byField.source == Array(plain.utf8), "a one-line value is sent as it is")
        #expect(try document(plain, idField: "user.id").id == "42")
        #expect(try document(#"{"user.id":"flat","user":{"id":42}}"#, idField: "user.id").id == "flat")
        #expect(try document(#"{"id":"a\u0041"}"#, idField: "id").id == "aA")
        #expect(try document(plain, idField: nil).id == "events-2-41")
        let pretty = try document("{\n  \"event_id\": \"e2\",\n  \"amount\": 1.10\n}", idField: "event_id")
        #expect(String(decoding: pretty.source, as: UTF8.self) == #"{"event_id":"e2","amount":1.10}"#,
                "a multi-line value becomes one line, numbers as written")

        #expect(throws: BulkDocumentError.self) { try document("[1,2]", idField: nil) }
        #expect(throws: BulkDocumentError.self) { try document("not json", idField: nil) }
        do throws(BulkDocumentError) {
            _ = try document(#"{"amount":1}"#, idField: "event_id")
            Issue.record("a record without its id field must be refused")
        } catch {
            #expect(error.description == "the record has no string or number field 'event_id' for the _id")
        }
        #expect(throws: BulkDocumentError.self) { try document(#"{"event_id":true}"#, idField: "event_id") }
        #expect(throws: BulkDocumentError.self) { try document(#"{"event_id":""}"#, idField: "event_id") }
    }

    @Test("_bulk responses: 2xx ok, 429/503 retry, 400 reject with type and reason, 409 ok for create")
    func bulkResponse() throws {
        let body = #"""
        {"took":3,"errors":true,"items":[
          {"index":{"_index":"ev","_id":"1","status":201,"result":"created"}},
          {"index":{"_index":"ev","_id":"2","status":429,"error":{"type":"es_rejected_execution_exception","reason":"busy"}}},
          {"index":{"_index":"ev","_id":"3","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [n]"}}},
          {"index":{"_index":"ev","_id":"4","status":503,"error":{"type":"unavailable_shards_exception","reason":"primary"}}},
          {"create":{"_index":"ev","_id":"5","status":409,"error":{"type":"version_conflict_engine_exception","reason":"exists"}}}]}
        """#
        let index = try #require(BulkResponse.parse(Array(body.utf8), expected: 5, action: .index))
        #expect(index[0] == .ok)
        #expect(index[1] == .retry("es_rejected_execution_exception: busy"))
        #expect(index[2] == .reject("mapper_parsing_exception: failed to parse field [n]"))
        #expect(index[3] == .retry("unavailable_shards_exception: primary"))
        #expect(index[4] == .reject("version_conflict_engine_exception: exists"))
        #expect(BulkResponse.parse(Array(body.utf8), expected: 5, action: .create)?[4] == .ok)
        #expect(BulkResponse.parse(Array(body.utf8), expected: 4, action: .index) == nil, "item count must match")
        #expect(BulkResponse.parse(Array("not json".utf8), expected: 5, action: .index) == nil)
    }

    @Test("_msearch responses: top hit, no hit, per-search errors")
    func multiSearchResponse() throws {
        let body = #"""
        {"took":1,"responses":[
          {"took":1,"timed_out":false,"hits":{"total":{"value":2,"relation":"eq"},"max_score":2.0,
            "hits":[{"_index":"d","_id":"x","_score":2.0,"_source":{"t":"a"}},{"_index":"d","_id":"y","_score":1.0,"_source":{}}]},"status":200},
          {"took":1,"timed_out":false,"hits":{"total":{"value":0,"relation":"eq"},"max_score":null,"hits":[]},"status":200},
          {"error":{"type":"index_not_found_exception","reason":"no such index [z]"},"status":404},
          {"error":{"type":"es_rejected_execution_exception","reason":"queue full"},"status":429}]}
        """#
        let answers = try #require(MultiSearchResponse.parse(Array(body.utf8), expected: 4))
        guard case .hit(let hit) = answers[0] else { Issue.record("expected a hit"); return }
        #expect(hit["_id"] as? String == "x")
        #expect((hit["_source"] as? [String: Any])?["t"] as? String == "a")
        guard case .noHit = answers[1] else { Issue.record("expected no hit"); return }
        guard case .fail(let reason) = answers[2] else { Issue.record("expected a failure"); return }
        #expect(reason == "index_not_found_exception: no such index [z]")
        guard case .retry = answers[3] else { Issue.record("expected a retry"); return }
    }

    @Test("configuration: defaults, checks naming the key, unknown keys refused")
    func configurationChecks() throws {
        let defaults = try configuration(#"{"index":"docs"}"#)
        #expect(defaults.mode == .search && defaults.outputTopic == "top_results" && defaults.onNoHit == .null)
        #expect(try configuration(#"{"index":"d","on_no_hit":null}"#).onNoHit == .null)
        #expect(try configuration(#"{"index":"d","on_no_hit":"dead_letter"}"#).onNoHit == .deadLetter)
        #expect(throws: (any Error).self) { try configuration(#"{"index":"d","on_no_hit":"drop"}"#) }
        #expect(throws: (any Error).self) { try configuration(#"{"index":"d","indx":"typo"}"#) }
        #expect(throws: ConfigSchemaViolation.self) { try configuration("{}") }
        #expect(throws: ConfigurationKeyError.self) { try configuration(#"{"index":"d","url":"ftp://x"}"#).validate() }
        #expect(throws: ConfigurationKeyError.self) { try configuration(#"{"index":"d","auth":{"username":"u"}}"#).validate() }
        #expect(throws: ConfigSchemaViolation.self) { try configuration(#"{"index":"d","query_template":"match"}"#) }
        try configuration(#"{"index":"d","auth":{"api_key_env":"K"}}"#).validate()
    }

    @Test("authorization headers come from the environment; errors name the variable only")
    func authorization() throws {
        let basic = ElasticsearchAuthConfiguration(username: "elastic", passwordEnv: "PW", apiKeyEnv: nil)
        #expect(try basic.authorizationHeader(environment: ["PW": "changeme"]) == "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==")
        let key = ElasticsearchAuthConfiguration(username: nil, passwordEnv: nil, apiKeyEnv: "KEY")
        #expect(try key.authorizationHeader(environment: ["KEY": "abc=="]) == "ApiKey abc==")
        do {
            _ = try key.authorizationHeader(environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("KEY"))
        }
        #expect(ElasticsearchConnection.redacted("https://user:pw@es.local:9200/x") == "https://user:***@es.local:9200/x")
        #expect(ElasticsearchConnection.redacted("http://es.local:9200/a@b") == "http://es.local:9200/a@b")
    }
}
