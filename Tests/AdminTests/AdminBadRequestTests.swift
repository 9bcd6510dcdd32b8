import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// Malformed requests get a 4xx with a JSON error naming the problem, and produce nothing.
@Suite("Admin API bad requests")
struct AdminBadRequestTests {
    @Test("malformed and invalid bodies are 400s that say what is wrong", arguments: [
        (#"{"key": "k", "value": "#, "application/json", "malformed JSON"),
        ("", "application/json", "empty body"),
        (#"[1, 2]"#, "application/json", "record 1: expected a JSON object"),
        (#"{"value": "v", "colour": "red"}"#, "application/json", "unknown field \"colour\""),
        (#"{"key": 5, "value": "v"}"#, "application/json", "\"key\" must be a string or null, found the number 5"),
        (#"{"value": "v", "headers": {"h": 1}}"#, "application/json", "header \"h\" must be a string"),
        (#"{"value": "v", "headers": ["h"]}"#, "application/json", "\"headers\" must be an object"),
        (#"{"value": "v", "partition": -1}"#, "application/json", "\"partition\" must be a non-negative integer"),
        (#"{"value": "v", "partition": true}"#, "application/json", "\"partition\" must be a non-negative integer"),
        ("{\"value\": \"a\"}\n{\"value\": \n", "application/x-ndjson", "line 2: malformed JSON"),
        ("\n\n", "application/x-ndjson", "empty body"),
    ])
    func badBodies(body: String, contentType: String, expected: String) async throws {
        try await AdminTestHost().run { host in
            let answer = try await HTTPExchange.post(host.baseURL, "/topics/input/messages", body, contentType: contentType)
            #expect(answer.status == 400, "\(answer.text)")
            #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true)
            let message = try #require(answer.errorMessage, "\(answer.text)")
            #expect(message.contains(expected), "\(message)")
            #expect(host.harness.count("input") == 0, "a bad request produces nothing, not even its good lines")
        }
    }

    @Test("an invalid topic name or a missing partition is a 400; an unsupported content type a 415; an oversized body a 413")
    func otherRejections() async throws {
        try await AdminTestHost(maxBodyBytes: 1024).run { host in
            let topic = try await HTTPExchange.post(host.baseURL, "/topics/bad%20topic/messages", #"{"value": "v"}"#)
            #expect(topic.status == 400)
            #expect(topic.errorMessage?.contains("invalid topic name") == true, "\(topic.text)")

            let partition = try await HTTPExchange.post(host.baseURL, "/topics/input/messages", #"{"value": "v", "partition": 4}"#)
            #expect(partition.status == 400)
            #expect(partition.errorMessage == "partition 4 does not exist: input has 4 partitions (0...3)", "\(partition.text)")
            // A topic no agent reads yet: the first record would create it with 4 partitions.
            let fresh = try await HTTPExchange.post(host.baseURL, "/topics/fresh/messages", #"{"value": "v", "partition": 4}"#)
            #expect(fresh.status == 400)
            #expect(fresh.errorMessage == "partition 4 does not exist: fresh has 4 partitions (0...3)", "\(fresh.text)")
            #expect(host.harness.count("fresh") == 0)
            let placed = try await HTTPExchange.post(host.baseURL, "/topics/input/messages", #"{"value": "v", "partition": 3}"#)
            #expect(placed.status == 200)
            #expect(host.harness.broker.endOffset(TopicPartition("input", 3)) == 1)

            let media = try await HTTPExchange.post(host.baseURL, "/topics/input/messages", "v", contentType: "text/plain")
            #expect(media.status == 415)
            #expect(media.errorMessage?.contains("application/x-ndjson") == true)

            let big = #"{"value": ""# + String(repeating: "x", count: 2000) + #""}"#
            let tooLarge = try await HTTPExchange.post(host.baseURL, "/topics/input/messages", big)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.errorMessage?.contains("1024 bytes") == true, "\(tooLarge.text)")
            #expect(host.harness.count("input") == 1, "only the record for partition 3")
        }
    }
}
