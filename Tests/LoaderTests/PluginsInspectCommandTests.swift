import Foundation
import Testing
import TestSupport

/// `sluice plugins inspect`, run as the built binary.
@Suite("sluice plugins inspect")
struct PluginsInspectCommandTests {
    static let binary = SluiceBinary.path

    private func requireBinary() throws { try SluiceBinary.require() }

    @Test("prints the descriptor of a good plugin")
    func goodPluginText() async throws {
        try requireBinary()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("good.so", in: directory)
        let sha256 = try #require(try await ProcessRunner.run(["sha256sum", path]).output.split(separator: " ").first)
        let result = try await ProcessRunner.run([Self.binary, "plugins", "inspect", path], check: false)
        #expect(result.status == 0)
        #expect(result.output == """
            name:          fixture
            version:       1.0.0
            description:   A loader test fixture
            abi:           1.3
            descriptor:    160 bytes
            toolchain:     no Swift toolchain record (a C plugin, or built without the SDK)
            topics:        orders, payments
            capabilities:  produces, stateless (0x6)
            tables:        (none)
            timers:        no
            config schema: {"type":"object"}
            isolation:     in_process by default (fastest; a crash stops the host). A sidecar's `isolation: process` runs it in a runner process of its own: a crash costs that runner, never the host. Choose process for plugins you do not control (docs/isolation.md)
            sha256:        \(sha256)
            file:          \(path)

            """)
    }

    @Test("--json prints the same fields as JSON, in snake_case like the admin API")
    func goodPluginJSON() async throws {
        try requireBinary()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("good.so", in: directory, flags: ["-DNEWER_MINOR"])
        let result = try await ProcessRunner.run([Self.binary, "plugins", "inspect", path, "--json"], check: false)
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "fixture")
        #expect(object["version"] as? String == "1.0.0")
        #expect(object["abi"] as? String == "1.4")
        #expect(object["abi_major"] as? Int == 1)
        #expect(object["abi_minor"] as? Int == 4)
        #expect(object.keys.allSatisfy { $0 == $0.lowercased() }, "\(object.keys.sorted())")
        #expect(object["descriptor_size"] as? Int == 176)
        #expect(object["tables"] as? [String] == [])
        #expect(object["handles_timers"] as? Bool == false)
        #expect(object["topics"] as? [String] == ["orders", "payments"])
        #expect(object["capabilities"] as? [String] == ["produces", "stateless"])
        #expect(object["capability_bits"] as? Int == 6)
        #expect(object["config_schema"] as? String == "{\"type\":\"object\"}")
        #expect(object["swift_release"] is NSNull)
        #expect(object["c_compiler"] is NSNull)
        #expect((object["sha256"] as? String)?.count == 64)
        #expect(object["file"] as? String == path)
    }

    @Test("a stateful plugin's tables and timers are shown, as text and as JSON")
    func statefulPlugin() async throws {
        try requireBinary()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("stateful.so", in: directory,
                                                   flags: [#"-DTABLES="counts","windows""#, "-DON_TIMER"])
        let text = try await ProcessRunner.run([Self.binary, "plugins", "inspect", path], check: false)
        #expect(text.status == 0)
        let lines = text.output.split(separator: "\n")
        #expect(lines.contains("tables:        counts, windows"), "\(text.output)")
        #expect(lines.contains("timers:        yes (on_timer)"), "\(text.output)")

        let json = try await ProcessRunner.run([Self.binary, "plugins", "inspect", path, "--json"], check: false)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["tables"] as? [String] == ["counts", "windows"])
        #expect(object["handles_timers"] as? Bool == true)
    }

    @Test("a Swift plugin's toolchain record is shown: the Swift release and the C compiler")
    func swiftToolchainShown() async throws {
        try requireBinary()
        let path = RepositoryPaths.path(".build/debug/libSluiceExampleSwift.so")
        let text = try await ProcessRunner.run([Self.binary, "plugins", "inspect", path]).output
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("toolchain:") })
        #expect(line.contains(/^toolchain: +Swift \d+\.\d+\.\d+\+? \(C compiler .*[Cc]lang/))
        let json = try await ProcessRunner.run([Self.binary, "plugins", "inspect", path, "--json"]).output
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((object["swift_release"] as? String).map { line.contains("Swift \($0) ") } == true)
        #expect((object["c_compiler"] as? String).map { line.contains($0) } == true)
    }

    @Test("a broken file prints exactly the refusal line and exits 1")
    func brokenFile() async throws {
        try requireBinary()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("magic.so", in: directory, flags: ["-DMAGIC=0"])
        let result = try await ProcessRunner.run([Self.binary, "plugins", "inspect", path], check: false)
        #expect(result.status == 1)
        #expect(result.output == "\(path) refused: bad magic 0x00000000 (expected 0x45434c53): not a Sluice plugin\n")

        let json = try await ProcessRunner.run([Self.binary, "plugins", "inspect", path, "--json"], check: false)
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["reason"] as? String == "badMagic")
        #expect(object["refusal"] as? String == "\(path) refused: bad magic 0x00000000 (expected 0x45434c53): not a Sluice plugin")
    }

    @Test("a text file is refused as not a shared object")
    func textFile() async throws {
        try requireBinary()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try LoaderFixtures.write(Array("hello\n".utf8), to: "hello.so", in: directory)
        let result = try await ProcessRunner.run([Self.binary, "plugins", "inspect", path], check: false)
        #expect(result.status == 1)
        #expect(result.output == "\(path) refused: not an ELF file (no \\x7fELF signature); expected a shared object built with -shared\n")
    }

    @Test("a secret's schema default is redacted; --config-table prints the docs' table from the config_schema")
    func configSchemaShown() async throws {
        try requireBinary()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("feed-cache.so", in: directory, flags: ["-DSCHEMA_FEED_CACHE"])
        for arguments in [[path], [path, "--json"]] {
            let result = try await ProcessRunner.run([Self.binary, "plugins", "inspect"] + arguments, check: false)
            #expect(result.status == 0)
            #expect(!result.output.contains("schema-default-SECRET"), "\(result.output)")
            #expect(result.output.contains("<redacted>"), "\(result.output)")
        }
        let table = try await ProcessRunner.run([Self.binary, "plugins", "inspect", path, "--config-table"], check: false)
        #expect(table.status == 0)
        #expect(table.output == """
            | key | value | default | meaning |
            |---|---|---|---|
            | `ttl_seconds` | an integer from 1 to 86400, required | — |  |
            | `api_token` | a string, secret | `"<redacted>"` |  |
            | `mode` | one of fast, safe | — |  |
            | `servers` | a non-empty list | — |  |
            | `fail` | true or false | — |  |

            """)
    }
}
