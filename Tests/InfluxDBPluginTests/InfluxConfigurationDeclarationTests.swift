import Foundation
import SluiceInfluxDBPlugin
import SluicePluginKit
import Testing
import TestSupport

/// The influxdb plugin's declared configuration: the host and the SDK refuse
/// a bad `config:` with the exact message, and docs/plugins/influxdb.md's
/// tables are the declaration's.
@Suite("influxdb plugin: declared configuration")
struct InfluxConfigurationDeclarationTests {
    static let validPrefix = "  url: http://127.0.0.1:1\n  database: d\n"

    @Test("an unknown key, a wrong type, an out-of-range value: refused by the host with the exact message", arguments: [
        (validPrefix + "  mesurement: x\n",
         #"config.mesurement: expected one of connect_timeout_ms, database, field, fields, flush_interval_ms, gzip, id_field, integer_fields, max_connections, max_lines, measurement, measurement_field, mode, on_missing_price, output, output_field, password, password_env, precision, retention_policy, symbol_field, tag, tags, time_field, timeout_ms, url, username, found unknown key "mesurement" (did you mean "measurement"?)"#),
        (validPrefix + "  gzip: sometimes\n", #"config.gzip: expected true or false, found "sometimes""#),
        (validPrefix + "  max_lines: 0\n", "config.max_lines: expected an integer from 1 to 1000000, found 0"),
        (validPrefix + "  mode: read\n", #"config.mode: expected one of enrich, write, found "read""#),
        ("  url: http://127.0.0.1:1\n", "config.database: expected a non-empty string (required), found nothing"),
    ])
    func refusedByTheHost(config: String, message: String) async throws {
        let refusal = try await HostHarness.refusal(ofBuiltPlugin: "SluiceInfluxDB", as: "influxdb", config: config)
        let plugins = try #require(refusal?.components(separatedBy: "/influxdb.so refused: ").first)
        #expect(refusal == "\(plugins)/influxdb.so refused: \(plugins)/influxdb.yaml: \(message)")
    }

    @Test("the SDK's strict decoding gives the same message; a secret's value is never repeated")
    func strictDecoding() throws {
        let wrongType = #expect(throws: ConfigSchemaViolation.self) {
            try InfluxConfiguration.decode(from: Data(#"{"url":"http://h:1","database":"d","max_connections":"4"}"#.utf8))
        }
        #expect(wrongType?.description == #"config.max_connections: expected an integer from 1 to 256, found "4""#)
        let secret = #expect(throws: ConfigSchemaViolation.self) {
            try InfluxConfiguration.decode(from: Data(#"{"url":"http://h:1","database":"d","password":{"v":"Inf1ux-SECRET"}}"#.utf8))
        }
        #expect(secret?.description == "config.password: expected a string")
    }

    @Test("the docs' configuration tables are the ones the declaration generates")
    func docsTable() throws {
        #expect(try PluginConfigDocs.documentedRows(inFile: "docs/plugins/influxdb.md")
                == PluginConfigDocs.generatedRows(ofBuiltPlugin: "SluiceInfluxDB"))
    }
}
