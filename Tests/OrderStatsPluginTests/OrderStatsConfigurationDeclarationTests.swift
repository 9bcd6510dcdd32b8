import Foundation
import Testing
import TestSupport

/// The order-stats plugin's declared configuration: the host refuses a bad
/// `config:` with the exact message, and docs/plugins/order-stats.md's table
/// is the declaration's.
@Suite("order-stats plugin: declared configuration")
struct OrderStatsConfigurationDeclarationTests {
    @Test("an unknown key, a window too short, an empty topic: refused with the exact message", arguments: [
        ("  window: 5s\n",
         #"config.window: expected one of grace_ms, output_topic, window_ms, found unknown key "window""#),
        ("  window_ms: 10\n", "config.window_ms: expected an integer from 1000 to 86400000, found 10"),
        ("  output_topic: \"\"\n", #"config.output_topic: expected a non-empty string, found """#),
    ])
    func refused(config: String, message: String) async throws {
        let refusal = try await HostHarness.refusal(ofBuiltPlugin: "SluiceOrderStats", as: "order-stats", config: config)
        let plugins = try #require(refusal?.components(separatedBy: "/order-stats.so refused: ").first)
        #expect(refusal == "\(plugins)/order-stats.so refused: \(plugins)/order-stats.yaml: \(message)")
    }

    @Test("the docs' configuration table is the one the declaration generates")
    func docsTable() throws {
        #expect(try PluginConfigDocs.documentedRows(inFile: "docs/plugins/order-stats.md")
                == PluginConfigDocs.generatedRows(ofBuiltPlugin: "SluiceOrderStats"))
    }
}
