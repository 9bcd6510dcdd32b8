import Foundation
import SluiceInfluxDBPlugin
import Testing

/// Decoding and validating the plugin's `config:`.
@Suite("Configuration")
struct ConfigurationTests {
    private func decode(_ json: String) throws -> InfluxConfiguration {
        let configuration = try InfluxConfiguration.decode(from: Data(json.utf8))
        try configuration.validate()
        return configuration
    }

    @Test("defaults: enrich mode, the Faust example's names")
    func defaults() throws {
        let configuration = try decode(#"{"url":"http://127.0.0.1:8086","database":"market"}"#)
        #expect(configuration.mode == .enrich)
        #expect(configuration.measurement == "marketdata")
        #expect(configuration.field == "price")
        #expect(configuration.tag == "symbol")
        #expect(configuration.output == "quality")
        #expect(configuration.outputField == "market_price")
        #expect(configuration.timeField == "timestamp")
        #expect(configuration.onMissingPrice == .deadLetter)
        #expect(configuration.maxLines == 5000)
    }

    @Test("write mode with an explicit null time field uses the record timestamp")
    func writeMode() throws {
        let configuration = try decode(#"{"url":"http://h:1","database":"d","mode":"write","time_field":null,"tags":["a"],"precision":"ms","gzip":true}"#)
        #expect(configuration.mode == .write)
        #expect(configuration.timeField == nil)
        #expect(configuration.precision == .milliseconds)
        #expect(configuration.gzip)
    }

    @Test("refused configurations", arguments: [
        #"{"database":"d"}"#,                                             // no url
        #"{"url":"http://h:1"}"#,                                         // no database
        #"{"url":"ftp://h","database":"d"}"#,                             // not http
        #"{"url":"http://u:p@h:1","database":"d"}"#,                      // credentials in the URL
        #"{"url":"http://h:1","database":"d","mesurement":"x"}"#,         // typo
        #"{"url":"http://h:1","database":"d","mode":"read"}"#,            // unknown mode
        #"{"url":"http://h:1","database":"d","on_missing_price":"zero"}"#,
        #"{"url":"http://h:1","database":"d","output":"bad topic"}"#,
        #"{"url":"http://h:1","database":"d","time_field":null}"#,        // enrich needs a time
        #"{"url":"http://h:1","database":"d","mode":"write","tags":["a"],"fields":["a"]}"#,
        #"{"url":"http://h:1","database":"d","max_lines":0}"#,
        #"{"url":"http://h:1","database":"d","password":"secret"}"#,      // password without user
    ])
    func refused(_ json: String) {
        #expect(throws: (any Error).self) { try decode(json) }
    }
}
