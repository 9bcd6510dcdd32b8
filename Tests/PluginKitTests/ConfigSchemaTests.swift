import SluicePluginKit
import Testing

/// The one configuration checker (host and SDK): reading a schema, the
/// wording of every refusal, defaults, the schema text and the docs table.
@Suite("ConfigSchema")
struct ConfigSchemaTests {
    static let schemaText = """
        {"type":"object","additionalProperties":false,"required":["url"],"properties":{
        "url":{"type":"string","minLength":1,"description":"Where."},
        "password":{"type":"string","writeOnly":true},
        "ttl":{"type":"integer","minimum":1,"maximum":86400,"default":3600},
        "ratio":{"type":"number","exclusiveMinimum":0,"maximum":1},
        "mode":{"enum":["fast","safe",null]},
        "name":{"type":["string","null"],"maxLength":3},
        "tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2},
        "auth":{"type":"object","additionalProperties":false,"properties":{
            "user":{"type":"string"},"secret_env":{"type":"string","default":"PW"}}}}}
        """

    private func violation(_ json: String) throws -> String? {
        let schema = try ConfigSchema.parse(Self.schemaText).schema
        return schema.violation(in: try JSONValue.parse(json))?.description
    }

    @Test("each refusal in the host's wording", arguments: [
        (#"{"url":"u","tll":5}"#,
         #"config.tll: expected one of auth, mode, name, password, ratio, tags, ttl, url, found unknown key "tll" (did you mean "ttl"?)"#),
        (#"{"url":"u","Zzzzzz":5}"#,
         #"config.Zzzzzz: expected one of auth, mode, name, password, ratio, tags, ttl, url, found unknown key "Zzzzzz""#),
        (#"{"ttl":5}"#, #"config.url: expected a non-empty string (required), found nothing"#),
        (#"{"url":""}"#, #"config.url: expected a non-empty string, found """#),
        (#"{"url":7}"#, #"config.url: expected a non-empty string, found 7"#),
        (#"{"url":"u","ttl":0}"#, #"config.ttl: expected an integer from 1 to 86400, found 0"#),
        (#"{"url":"u","ttl":2.0}"#, #"config.ttl: expected an integer from 1 to 86400, found 2.0"#),
        (#"{"url":"u","ttl":true}"#, #"config.ttl: expected an integer from 1 to 86400, found true"#),
        (#"{"url":"u","ratio":0}"#, #"config.ratio: expected a number greater than 0 and at most 1, found 0"#),
        (#"{"url":"u","ratio":1.5}"#, #"config.ratio: expected a number greater than 0 and at most 1, found 1.5"#),
        (#"{"url":"u","mode":"slow"}"#, #"config.mode: expected one of fast, safe, null, found "slow""#),
        (#"{"url":"u","name":"abcd"}"#, #"config.name: expected a string of at most 3 characters or null, found "abcd""#),
        (#"{"url":"u","name":{}}"#, #"config.name: expected a string of at most 3 characters or null, found an empty mapping"#),
        (#"{"url":"u","tags":[]}"#, #"config.tags: expected a list of 1 to 2 entries, found an empty list"#),
        (#"{"url":"u","tags":["a",1]}"#, #"config.tags[1]: expected a string, found 1"#),
        (#"{"url":"u","auth":{"usr":"x"}}"#,
         #"config.auth.usr: expected one of secret_env, user, found unknown key "usr" (did you mean "user"?)"#),
        (#"{"url":"u","auth":[]}"#, #"config.auth: expected a mapping, found an empty list"#),
        (#""text""#, #"config: expected a mapping, found "text""#),
    ])
    func wording(json: String, message: String) throws {
        #expect(try violation(json) == message)
    }

    @Test("valid values pass: null where allowed, integers as numbers, absent optional keys")
    func accepted() throws {
        #expect(try violation(#"{"url":"u"}"#) == nil)
        #expect(try violation(#"{"url":"u","mode":null,"name":null,"ratio":1,"ttl":86400,"tags":["a","b"],"auth":{"user":"x"}}"#) == nil)
    }

    @Test("a secret's value is never repeated, whether marked writeOnly or named like a secret")
    func secretsNotRepeated() throws {
        #expect(try violation(#"{"url":"u","password":["hunter2"]}"#) == "config.password: expected a string")
        #expect(try violation(#"{"url":"u","auth":{"secret_env":5}}"#) == "config.auth.secret_env: expected a string")
    }

    @Test("defaults are filled in at every depth; present values are kept")
    func defaults() throws {
        let schema = try ConfigSchema.parse(Self.schemaText).schema
        let filled = schema.applyingDefaults(to: try JSONValue.parse(#"{"url":"u","auth":{}}"#))
        #expect(filled.jsonText == #"{"url":"u","auth":{"secret_env":"PW"},"ttl":3600}"#)
        let kept = schema.applyingDefaults(to: try JSONValue.parse(#"{"url":"u","ttl":5}"#))
        #expect(kept.jsonText == #"{"url":"u","ttl":5}"#)
    }

    @Test("the schema reads back from its own text; secret keys are found at any depth")
    func roundTrip() throws {
        let parsed = try ConfigSchema.parse(Self.schemaText)
        #expect(parsed.ignoredKeywords.isEmpty)
        #expect(try ConfigSchema.parse(parsed.schema.jsonText).schema == parsed.schema)
        #expect(parsed.schema.secretKeys == ["password"])
        #expect(SecretRedaction.secretKeys(inSchema: parsed.schema.jsonText) == ["password"])
    }

    @Test("keywords outside the subset are reported and ignored; annotations are not reported")
    func ignoredKeywords() throws {
        let parsed = try ConfigSchema.parse(#"""
            {"$schema":"x","title":"t","type":"object","properties":{"u":{"type":"string","pattern":"^a","format":"uri"}},
             "additionalProperties":{"type":"string"}}
            """#)
        #expect(parsed.ignoredKeywords == ["/properties/u/pattern", "/properties/u/format", "/additionalProperties"])
        #expect(parsed.schema.violation(in: try JSONValue.parse(#"{"u":"zzz","extra":"x"}"#)) == nil)
    }

    @Test("a schema with a checked keyword of the wrong kind is an error naming where", arguments: [
        (#"{"type":"object","properties":{"a":{"minimum":"1"}}}"#, "config_schema /properties/a/minimum: expected a number"),
        (#"{"type":"thing"}"#,
         #"config_schema /type: expected one of object, string, integer, number, boolean, array, null, found "thing""#),
        (#"{"required":"a"}"#, "config_schema /required: expected a list of key names"),
        (#"[]"#, "config_schema: expected a schema object"),
    ])
    func invalidSchema(text: String, message: String) {
        #expect(throws: ConfigSchemaError.self) { try ConfigSchema.parse(text) }
        do {
            _ = try ConfigSchema.parse(text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("the docs table: one row per key, nested keys dotted, required and secret marked")
    func markdown() throws {
        let schema = try ConfigSchema.parse(#"""
            {"type":"object","required":["url"],"properties":{
            "url":{"type":"string","minLength":1,"description":"Where | how."},
            "password":{"type":"string","writeOnly":true,"description":"The password."},
            "ttl":{"type":"integer","minimum":1,"default":60,"description":"Seconds."},
            "auth":{"type":"object","properties":{"user":{"type":"string","description":"Who."}}}}}
            """#).schema
        #expect(schema.markdownTable == """
            | key | value | default | meaning |
            |---|---|---|---|
            | `url` | a non-empty string, required | — | Where \\| how. |
            | `password` | a string, secret | — | The password. |
            | `ttl` | an integer of at least 1 | `60` | Seconds. |
            | `auth` | a mapping | — |  |
            | `auth.user` | a string | — | Who. |

            """)
    }

    @Test("the unknown-key wording is the one the host uses for sluice.yaml")
    func unknownKeyWording() {
        let wording = UnknownKeyWording(key: "batchSize", known: ["max_in_flight", "batch_size"])
        #expect(wording.expected == "one of batch_size, max_in_flight")
        #expect(wording.found == #"unknown key "batchSize" (did you mean "batch_size"?)"#)
    }
}
