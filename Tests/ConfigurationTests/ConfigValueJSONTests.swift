import Foundation
import SluiceHost
import Testing

/// The JSON text a plugin receives.
@Suite struct ConfigValueJSONTests {
    @Test(arguments: [
        (ConfigValue.string(#"say "hi""#), #""say \"hi\"""#),
        (.string(#"C:\path"#), #""C:\\path""#),
        (.string("a\nb\rc\td"), #""a\nb\rc\td""#),
        (.string("\u{08}\u{0C}"), #""\b\f""#),
        (.string("\u{00}\u{01}\u{1F}\u{7F}"), #""\u0000\u0001\u001f\u007f""#),
        (.string("line\u{2028}para\u{2029}"), #""line\u2028para\u2029""#),
        (.string("héllo 🌊 日本"), "\"héllo 🌊 日本\""),
        (.string("/slash"), #""/slash""#),
        (.null, "null"),
        (.bool(true), "true"),
        (.integer(-42), "-42"),
        (.integer(.max), "9223372036854775807"),
        (.double(1.5), "1.5"),
        (.double(.infinity), "null"),
        (.array([]), "[]"),
        (.object([:]), "{}"),
    ])
    func escapingAndScalars(value: ConfigValue, json: String) {
        #expect(value.jsonText == json)
    }

    @Test func outputIsValidJSONThatFoundationReadsBack() throws {
        let value: ConfigValue = [
            "quote\"key": "v\\al\u{01}ue",
            "emoji": "🌊",
            "numbers": [1, -2.25, 1e300],
            "flags": [true, false, nil],
        ]
        let parsed = try JSONSerialization.jsonObject(with: Data(value.jsonText.utf8)) as? [String: Any]
        #expect(parsed?["quote\"key"] as? String == "v\\al\u{01}ue")
        #expect(parsed?["emoji"] as? String == "🌊")
        #expect((parsed?["numbers"] as? [Double]) == [1, -2.25, 1e300])
    }

    @Test func keysAreSortedSoTheTextIsDeterministic() {
        var members: [String: ConfigValue] = [:]
        for key in ["zeta", "alpha", "Beta", "é", "a", "10", "9"] { members[key] = .string(key) }
        let expected = #"{"10":"10","9":"9","Beta":"Beta","a":"a","alpha":"alpha","zeta":"zeta","é":"é"}"#
        #expect(ConfigValue.object(members).jsonText == expected)
        // Built in another insertion order (a dictionary's iteration order may differ): same text.
        var reversed: [String: ConfigValue] = [:]
        for key in ["9", "10", "a", "é", "Beta", "alpha", "zeta"] { reversed[key] = .string(key) }
        #expect(ConfigValue.object(reversed).jsonText == expected)
    }

    @Test func yamlTypesMapToJSONTypes() throws {
        let settings = try ConfigurationLoader.parseAgent(yaml: """
            config:
              port: 8080
              quoted_port: "8080"
              ratio: 0.75
              on: yes
              nothing: ~
              big: 123456789012345678901234567890
              date: 2024-01-01
              nested: { list: [1, two, { three: 3 }] }
              "key with \\"quotes\\"": "value\\nwith newline"
            """, name: "a.yaml", defaults: AgentSettings())
        #expect(settings.config["port"] == .integer(8080))
        #expect(settings.config["quoted_port"] == .string("8080"))
        #expect(settings.config["ratio"] == .double(0.75))
        #expect(settings.config["on"] == .bool(true))
        #expect(settings.config["nothing"] == .null)
        #expect(settings.config["big"] == .double(Double("123456789012345678901234567890")!))
        #expect(settings.config["date"] == .string("2024-01-01"))
        #expect(settings.config["nested"] == ["list": [1, "two", ["three": 3]]])
        #expect(settings.config[#"key with "quotes""#] == .string("value\nwith newline"))
    }
}
