import CSluicePlugin
import Foundation
import SluiceHost
import Testing
import TestSupport

/// The stateful C example (Plugins/examples/c-key-counter), built as a plugin
/// author builds it: loaded by the host loader, refusing a host without state
/// in create(), and driven through its hooks with a host table that keeps
/// its tables and timers (``StateTableHost``), which shows the window layout
/// of sluice_windows.h exactly.
@Suite("The stateful C example plugin (Plugins/examples/c-key-counter)")
struct KeyCounterPluginTests {
    static let source = RepositoryPaths.path("Plugins/examples/c-key-counter/key_counter.c")

    /// Compiles key_counter.c and loads it with the host loader.
    static func load(in directory: TemporaryDirectory) async throws -> PluginImage {
        let path = try await CPluginCompiler.compile(sources: [source], output: directory.file("key-counter.so"))
        return try LoaderFixtures.loader(directory).load(file: path)
    }

    /// Calls the image's create() with `host`'s table; the instance, or the error line.
    static func create(_ image: PluginImage, host: StateTableHost,
                       config: String = "{}") throws -> Result<UnsafeMutableRawPointer, CreateFailure> {
        let create = try #require(image.descriptor.member(\.create) ?? nil)
        var instance: UnsafeMutableRawPointer?
        var error = [CChar](repeating: 0, count: 512)
        let status = create(host.api, host.handle, config, strlen(config), &instance, &error, error.count)
        guard status == SLUICE_STATUS_OK, let instance else {
            let line = error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return .failure(CreateFailure(line: String(decoding: line, as: UTF8.self)))
        }
        return .success(instance)
    }

    /// create()'s error line.
    struct CreateFailure: Error, Equatable {
        let line: String
    }

    /// The 16-digit window start of the layout.
    static func start(_ milliseconds: Int64) -> String {
        let digits = String(milliseconds)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    @Test("the loader validates its descriptor and lists its tables and timers")
    func descriptor() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let image = try await Self.load(in: directory)
        #expect(image.name == "key-counter")
        #expect(image.abiMinor == UInt16(SLUICE_ABI_MINOR))
        #expect(image.tables == ["counts", "windows"])
        #expect(image.handlesTimers)
        #expect(image.isStateful)
        #expect(image.topics == ["events"])
        try image.validateConfiguration(#"{"output":"per-window"}"#)
        #expect(throws: PluginRefusal.self) { try image.validateConfiguration(#"{"output":""}"#) }
    }

    @Test("in a 1.1 host (the table ends at trace_context) create() refuses with one line")
    func refusesAnOlderHost() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let image = try await Self.load(in: directory)
        let v1_1Size = MemoryLayout<sluice_host_api>.offset(of: \sluice_host_api.trace_context)! + MemoryLayout<UnsafeRawPointer>.size
        // The state members are filled in beyond struct_size: only the size tells the plugin they are not there.
        let older = StateTableHost(tables: ["counts", "windows"], structSize: v1_1Size, abiMinor: 1)
        #expect(try Self.create(image, host: older) == .failure(CreateFailure(
            line: "key-counter keeps tables, which need a host with ABI 1.2 state support (this host is 1.1)")))

        let withoutState = StateTableHost(tables: ["counts", "windows"], stateFunctions: false)
        #expect(try Self.create(image, host: withoutState) == .failure(CreateFailure(
            line: "key-counter keeps tables, which need a host with ABI 1.2 state support (this host is 1.3 without it)")))
    }

    @Test("counts per key, windows in the shared layout, closes a window into one record per key")
    func countsAndWindows() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let image = try await Self.load(in: directory)
        let host = StateTableHost(tables: ["counts", "windows"])
        let instance = try Self.create(image, host: host, config: #"{"output":"per-window"}"#).get()
        let onBatch = try #require(image.descriptor.member(\.on_batch) ?? nil)
        let onTimer = try #require(image.descriptor.member(\.on_timer) ?? nil)
        defer { image.descriptor.member(\.destroy)!!(instance) }

        let base: Int64 = 1_700_000_000_000  // a window start: a multiple of 10 s
        host.streamTime = base + 11_000
        let first = PluginCallBatch(id: 1, topic: "events", [
            .init(key: "user-7", value: "a", timestampMs: base + 1_000),
            .init(key: "user-8", value: "b", timestampMs: base + 3_000),
            .init(key: nil, value: "no key", timestampMs: base + 4_000),
            .init(key: "user-7", value: "c", timestampMs: base + 9_999),
            .init(key: "user-7", value: "d", timestampMs: base + 11_000),
        ])
        #expect(onBatch(instance, first.batch) == Int32(SLUICE_BATCH_DONE.rawValue))
        #expect(first.resultValues == [SLUICE_RESULT_OK, SLUICE_RESULT_OK, SLUICE_RESULT_SKIP, SLUICE_RESULT_OK, SLUICE_RESULT_OK])

        #expect(host.entries("counts") == ["user-7": "3", "user-8": "1"])
        let window = Self.start(base), next = Self.start(base + 10_000)
        #expect(host.entries("windows") == [
            "user-7@\(window)": "2", "user-8@\(window)": "1", "user-7@\(next)": "1",
            "\u{01}\(window)/user-7": "", "\u{01}\(window)/user-8": "", "\u{01}\(next)/user-7": "",
        ])
        let wall = Int32(SLUICE_CLOCK_WALL.rawValue), stream = Int32(SLUICE_CLOCK_STREAM.rawValue)
        // Close timers on both clocks at end + grace (2 s).
        #expect(host.timers == [
            .init(clock: wall, key: "w/windows/\(window)"): base + 12_000,
            .init(clock: stream, key: "w/windows/\(window)"): base + 12_000,
            .init(clock: wall, key: "w/windows/\(next)"): base + 22_000,
            .init(clock: stream, key: "w/windows/\(next)"): base + 22_000,
        ])

        // A tombstone deletes the key's total; a record after its window closed (stream time past end + grace) counts in total only.
        host.streamTime = base + 12_500
        let second = PluginCallBatch(id: 2, topic: "events", [
            .init(key: "user-8", value: nil, timestampMs: base + 12_000),
            .init(key: "user-9", value: "late", timestampMs: base + 500),
        ])
        #expect(onBatch(instance, second.batch) == Int32(SLUICE_BATCH_DONE.rawValue))
        #expect(host.entries("counts") == ["user-7": "3", "user-9": "1"])
        #expect(host.entries("windows")["user-9@\(window)"] == nil)

        // The stream timer fires first: the window closes, the wall one is cancelled.
        host.fire(.init(clock: stream, key: "w/windows/\(window)"))
        let timers = PluginCallTimerBatch(id: 3, topic: "events", streamTimeMs: base + 12_500,
                                          [(SLUICE_CLOCK_STREAM, base + 12_000, "w/windows/\(window)")])
        #expect(onTimer(instance, timers.batch) == Int32(SLUICE_BATCH_DONE.rawValue))
        #expect(host.produced == [
            .init(batchID: 3, topic: "per-window", key: "user-7",
                  value: #"{"key":"user-7","window_start":1700000000000,"count":2}"#),
            .init(batchID: 3, topic: "per-window", key: "user-8",
                  value: #"{"key":"user-8","window_start":1700000000000,"count":1}"#),
        ])
        #expect(host.entries("windows") == ["user-7@\(next)": "1", "\u{01}\(next)/user-7": ""])
        #expect(host.timers == [
            .init(clock: wall, key: "w/windows/\(next)"): base + 22_000,
            .init(clock: stream, key: "w/windows/\(next)"): base + 22_000,
        ])
    }

    @Test("a key that needs escaping is produced as valid JSON")
    func escapedKey() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let image = try await Self.load(in: directory)
        let host = StateTableHost(tables: ["counts", "windows"])
        let instance = try Self.create(image, host: host).get()
        defer { image.descriptor.member(\.destroy)!!(instance) }
        let key = "say \"hi\"\\\n"
        let batch = PluginCallBatch(id: 1, topic: "events", [.init(key: key, value: "v", timestampMs: 20_000)])
        #expect(image.descriptor.member(\.on_batch)!!(instance, batch.batch) == Int32(SLUICE_BATCH_DONE.rawValue))
        let timers = PluginCallTimerBatch(id: 2, topic: "events", streamTimeMs: -1,
                                          [(SLUICE_CLOCK_WALL, 32_000, "w/windows/\(Self.start(20_000))")])
        #expect(image.descriptor.member(\.on_timer)!!(instance, timers.batch) == Int32(SLUICE_BATCH_DONE.rawValue))
        let produced = try #require(host.produced.first)
        #expect(produced.topic == "key-counts")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(produced.value!.utf8)) as? [String: Any])
        #expect(object["key"] as? String == key)
        #expect(object["window_start"] as? Int == 20_000)
        #expect(object["count"] as? Int == 1)
    }
}
