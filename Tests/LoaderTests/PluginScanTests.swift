import Foundation
import SluiceHost
import Testing
import TestSupport

/// Scanning a plugins directory: broken files are refused one by one and the
/// good ones beside them still load.
@Suite("Plugin directory scan")
struct PluginScanTests {
    @Test("good plugins load beside broken and misnamed ones, in name order; other files are ignored")
    func goodBesideBroken() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = directory.file("plugins")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: false)
        func compile(_ name: String, _ flags: [String]) async throws -> String {
            try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: "\(plugins)/\(name)", flags: flags)
        }
        let alpha = try await compile("alpha.so", ["-DNAME=\"alpha\""])
        let text = plugins + "/b-text.so"
        try "not a plugin\n".write(toFile: text, atomically: true, encoding: .utf8)
        let charlie = try await compile("charlie.so", ["-DNAME=\"charlie\""])
        let magic = try await compile("d-magic.so", ["-DNAME=\"delta\"", "-DMAGIC=0"])
        let twin = try await compile("e-twin.so", ["-DNAME=\"alpha\"", "-DVERSION=\"9\""])
        let zulu = try await compile("zulu.so", ["-DNAME=\"zulu\""])
        let misnamed = try await compile("y-yankee.so", ["-DNAME=\"yankee\""])
        _ = try await compile("ignored.so.tmp", ["-DNAME=\"tmp\""])
        try "# notes\n".write(toFile: plugins + "/README.md", atomically: true, encoding: .utf8)

        let log = RecordedLog()
        let result = try LoaderFixtures.loader(directory, log: log).scan(directory: plugins)

        #expect(result.images.map(\.name) == ["alpha", "charlie", "zulu"])
        #expect(result.images.map(\.sourcePath) == [alpha, charlie, zulu])
        #expect(result.refusals.map(\.file) == [text, magic, twin, misnamed])
        #expect(result.refusals.map(\.reason) == [.notSharedObject, .badMagic, .duplicateName, .invalidName])
        let logged = log.entries.filter { $0.level == .error }.map { $0.metadata["plugin.reason"] }
        #expect(logged == ["notSharedObject", "badMagic", "duplicateName", "invalidName"])
    }

    @Test("a trailing slash on the directory does not double the separator")
    func trailingSlash() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = directory.file("plugins")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: false)
        let path = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: plugins + "/fixture.so")
        let result = try LoaderFixtures.loader(directory).scan(directory: plugins + "/")
        #expect(result.images.map(\.sourcePath) == [path])
        #expect(result.refusals.isEmpty)
    }
}
