import CSluicePlugin
import Foundation
import Testing
import TestSupport

@Suite("The C example plugin (Plugins/examples/c-uppercase)")
struct CExamplePluginTests {
    /// Compiles uppercase.c like a plugin author would and loads it with dlopen.
    static func load(in directory: TemporaryDirectory) async throws -> LoadedPlugin {
        let output = try await CPluginCompiler.compile(
            sources: [RepositoryPaths.path("Plugins/examples/c-uppercase/uppercase.c")],
            output: directory.file("uppercase.so"))
        let handle = try #require(dlopen(output, RTLD_NOW | RTLD_LOCAL), "\(String(cString: dlerror()))")
        let symbol = try #require(dlsym(handle, SLUICE_PLUGIN_ENTRY_V1))
        let entry = unsafeBitCast(symbol, to: sluice_plugin_entry_v1_fn.self)
        return try LoadedPlugin(entryResult: UnsafeRawPointer(entry(1, 0)))
    }

    @Test("descriptor, config validation and upper-cased output with the same key")
    func uppercase() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugin = try await Self.load(in: directory)
        #expect(plugin.descriptor.pointee.magic == SLUICE_PLUGIN_MAGIC)
        #expect(plugin.descriptor.pointee.struct_size == UInt32(MemoryLayout<sluice_plugin_descriptor>.size))
        #expect(plugin.name == "uppercase")
        #expect(plugin.topics == ["words"])

        #expect(plugin.validate(#"{"output": "shout"}"#) == nil)
        #expect(plugin.validate(#"{"other": {"output": 1}, "list": ["x", "}"]}"#) == nil)
        #expect(plugin.validate("{}") == nil)
        #expect(plugin.validate("[1]")?.contains("JSON object") == true)
        #expect(plugin.validate(#"{"output": 5}"#)?.contains("'output' must be a string") == true)

        let host = HostRecorder()
        let instance = try plugin.create(#"{"output": "shout"}"#, host: host)
        defer { instance.destroy() }
        let batch = TestBatch(id: 77, topic: "words", [
            .init(key: "one", value: "hello, World 42"),
            .init(key: nil, value: "ünïcode stays"),
            .init(key: "gone", value: nil),
        ])
        #expect(instance.onBatch(batch) == SLUICE_BATCH_DONE)
        #expect(batch.results == [SLUICE_RESULT_OK, SLUICE_RESULT_OK, SLUICE_RESULT_SKIP])
        let produced = host.producedRecords
        #expect(produced.map(\.valueString) == ["HELLO, WORLD 42", "üNïCODE STAYS"])
        #expect(produced.map(\.keyString) == ["one", nil])
        #expect(produced.allSatisfy { $0.topic == "shout" && $0.batchID == 77 })
    }

    @Test("the default output topic is words.upper")
    func defaultOutput() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugin = try await Self.load(in: directory)
        let host = HostRecorder()
        let instance = try plugin.create("{}", host: host)
        defer { instance.destroy() }
        let batch = TestBatch(id: 78, topic: "words", [.init(key: "k", value: "abc")])
        #expect(instance.onBatch(batch) == SLUICE_BATCH_DONE)
        #expect(host.producedRecords.map(\.topic) == ["words.upper"])
    }
}
