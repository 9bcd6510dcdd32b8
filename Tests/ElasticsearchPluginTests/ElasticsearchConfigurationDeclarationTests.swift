import Foundation
@testable import SluiceElasticsearchPlugin
import SluicePluginKit
import Testing
import TestSupport

/// The elasticsearch plugin's declared configuration: the host and the SDK
/// refuse a bad `config:` with the exact message, and
/// docs/plugins/elasticsearch.md's table is the declaration's.
@Suite("elasticsearch plugin: declared configuration")
struct ElasticsearchConfigurationDeclarationTests {
    @Test("an unknown key, a wrong type, an out-of-range value: refused by the host with the exact message", arguments: [
        ("  index: docs\n  indx: typo\n",
         #"config.indx: expected one of action, auth, bulk_max_bytes, bulk_max_documents, connect_timeout_ms, id_field, index, match_field, max_connections, mode, on_no_hit, output_key_field, output_topic, query_field, query_template, timeout_ms, url, found unknown key "indx" (did you mean "index"?)"#),
        ("  index: docs\n  query_template: match\n", #"config.query_template: expected a mapping, found "match""#),
        ("  index: docs\n  max_connections: 300\n", "config.max_connections: expected an integer from 1 to 256, found 300"),
        ("  index: docs\n  on_no_hit: drop\n", #"config.on_no_hit: expected one of null, dead_letter, found "drop""#),
        ("  index: docs\n  auth:\n    usernme: u\n",
         #"config.auth.usernme: expected one of api_key_env, password_env, username, found unknown key "usernme" (did you mean "username"?)"#),
    ])
    func refusedByTheHost(config: String, message: String) async throws {
        let refusal = try await HostHarness.refusal(ofBuiltPlugin: "SluiceElasticsearch", as: "elasticsearch", config: config)
        let plugins = try #require(refusal?.components(separatedBy: "/elasticsearch.so refused: ").first)
        #expect(refusal == "\(plugins)/elasticsearch.so refused: \(plugins)/elasticsearch.yaml: \(message)")
    }

    @Test("the SDK's strict decoding gives the same message")
    func strictDecoding() throws {
        let refused = #expect(throws: ConfigSchemaViolation.self) {
            try ElasticsearchConfiguration.decode(from: Data(#"{"index":"d","bulk_max_documents":0}"#.utf8))
        }
        #expect(refused?.description == "config.bulk_max_documents: expected an integer of at least 1, found 0")
        let defaults = try ElasticsearchConfiguration.decode(from: Data(#"{"index":"d","on_no_hit":null}"#.utf8))
        #expect(defaults.onNoHit == .null && defaults.bulkMaxBytes == 5_242_880 && defaults.url == "http://127.0.0.1:9200")
    }

    @Test("the docs' configuration table is the one the declaration generates")
    func docsTable() throws {
        #expect(try PluginConfigDocs.documentedRows(inFile: "docs/plugins/elasticsearch.md")
                == PluginConfigDocs.generatedRows(ofBuiltPlugin: "SluiceElasticsearch"))
    }
}
