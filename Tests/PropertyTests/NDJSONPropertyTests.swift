import Foundation
import PropertyBased
import SluicePluginKit
@testable import SluiceElasticsearchPlugin
import Testing

/// The Elasticsearch plugin's NDJSON bodies under hostile text: every line
/// is one JSON value that JSONSerialization reads back exactly, so a record
/// can never add a line (an action) or leave the JSON it was put in.
@Suite("NDJSON properties")
struct NDJSONPropertyTests {
    /// The lines of a body that must end in a newline.
    private static func lines(_ body: [UInt8]) -> [[UInt8]] {
        #expect(body.last == 10, "NDJSON bodies end with a newline")
        return body.split(separator: 10, omittingEmptySubsequences: false).dropLast().map(Array.init)
    }

    private static func object(_ line: [UInt8]) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
    }

    @Test("_bulk: hostile ids and sources give two JSON lines per document, ids and sources read back exactly, size limits kept")
    func bulkBodies() async {
        let documents = zip(HostileText.jsonString, HostileText.jsonString, HostileText.jsonString).array(of: 1...20)
        await checkProperty(count: 1000, input: documents, Gen<Int>.value(in: 1...7), Gen<Int>.value(in: 64...2048), Gen.bool) {
            triples, maxDocuments, maxBytes, create in
            let bulk = triples.enumerated().map { index, triple in
                // The source as index mode sends it: the record's JSON, on one line.
                var source = ["n": "\(index)"]
                source[triple.1] = triple.2
                return BulkDocument(messageIndex: index, id: triple.0, source: [UInt8]((try? JSONSerialization.data(withJSONObject: source)) ?? Data()))
            }
            let action: ElasticsearchConfiguration.BulkAction = create ? .create : .index
            let requests = BulkRequest.split(bulk, index: "idx", action: action, maxDocuments: maxDocuments, maxBytes: maxBytes)
            #expect(requests.flatMap(\.messageIndices) == Array(bulk.indices), "every document once, in order")
            for request in requests {
                let lines = Self.lines(request.body)
                #expect(lines.count == 2 * request.messageIndices.count)
                #expect(request.messageIndices.count <= maxDocuments)
                #expect(request.body.count <= maxBytes || request.messageIndices.count == 1)
                for (pair, messageIndex) in zip(stride(from: 0, to: lines.count, by: 2), request.messageIndices) {
                    let actionLine = Self.object(lines[pair])?[action.rawValue] as? [String: Any]
                    #expect(actionLine?["_id"] as? String == triples[messageIndex].0, "\(String(decoding: lines[pair], as: UTF8.self))")
                    #expect(actionLine?["_index"] as? String == "idx")
                    let source = Self.object(lines[pair + 1])
                    #expect(source?[triples[messageIndex].1] as? String == triples[messageIndex].2)
                }
            }
        }
    }

    @Test("_msearch: a hostile query text stays a JSON string value inside the template")
    func multiSearchBodies() async throws {
        let template = try JSONValue.parse(#"{"match": {"title": "{{query}}"}}"#)
        await checkProperty(count: 1000, input: HostileText.jsonString.array(of: 1...10)) { queries in
            var request = MultiSearchRequest(index: "idx", template: template)
            for query in queries { request.append(query: query) }
            let lines = Self.lines(request.body)
            #expect(lines.count == 2 * queries.count)
            for (pair, query) in zip(stride(from: 0, to: lines.count, by: 2), queries) {
                #expect(Self.object(lines[pair])?["index"] as? String == "idx")
                let body = Self.object(lines[pair + 1])
                let match = (body?["query"] as? [String: Any])?["match"] as? [String: Any]
                #expect(match?["title"] as? String == query, "\(String(decoding: lines[pair + 1], as: UTF8.self))")
                #expect(body?["size"] as? Int == 1)
            }
        }
    }
}
