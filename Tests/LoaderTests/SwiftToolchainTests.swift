import Foundation
import SluiceHost
import Testing
import TestSupport

/// The toolchain rule: a Swift plugin built by another Swift toolchain than
/// the host's is refused before `dlopen`, with both versions named; plugins
/// without a toolchain record (C plugins) are not checked.
@Suite("Swift toolchain record")
struct SwiftToolchainTests {
    /// The SDK's record source, compiled into C fixtures to stand for Swift
    /// plugins built by other toolchains.
    private static let recordSource = RepositoryPaths.path("PluginAPI/Toolchain/sluice_toolchain.c")
    private static let recordInclude = RepositoryPaths.path("PluginAPI/Toolchain/include")

    /// The Swift example plugin as `swift build` built it.
    private static let swiftExample = RepositoryPaths.path(".build/debug/libSluiceExampleSwift.so")

    /// The C fixture plugin with a toolchain record claiming `release`.
    private func fixtureWithRecord(release: String, in directory: TemporaryDirectory) async throws -> String {
        try await CPluginCompiler.compile(
            sources: [LoaderFixtures.source, Self.recordSource], output: directory.file("recorded.so"),
            flags: ["-I", Self.recordInclude, "-DSLUICE_SWIFT_RELEASE=\"\(release)\""])
    }

    /// `bytes` with the first occurrence of `old` replaced by `new` (same length).
    private func patched(_ bytes: [UInt8], _ old: String, _ new: String) throws -> [UInt8] {
        let old = Array(old.utf8), new = Array(new.utf8)
        precondition(old.count == new.count)
        let start = try #require(bytes.indices.first { bytes[$0...].starts(with: old) }, "\(String(decoding: old, as: UTF8.self)) not found")
        var result = bytes
        result.replaceSubrange(start..<(start + old.count), with: new)
        return result
    }

    @Test("the host's recorded release is the release `swift --version` names")
    func hostReleaseMatchesCompiler() async throws {
        let version = try await ProcessRunner.run(["swift", "--version"]).output
        let match = try #require(version.firstMatch(of: /Swift version (\d+)\.(\d+)(?:\.(\d+))?/),
                                 "no release in: \(version)")
        let release = "\(match.1).\(match.2).\(match.3 ?? "0")"
        #expect(SwiftToolchain.host.swiftRelease == release,
                "PluginAPI/Package.swift lists no line for Swift \(release): add it above the newest entry")
        #expect(SwiftToolchain.host.cCompiler.contains("clang") || SwiftToolchain.host.cCompiler.contains("Clang"))
    }

    @Test("a Swift plugin built with the SDK carries the host's record and loads")
    func swiftPluginLoads() throws {
        guard FileManager.default.fileExists(atPath: Self.swiftExample) else {
            Issue.record("\(Self.swiftExample) is missing: run `swift build` first (tools/test does)")
            return
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let image = try LoaderFixtures.loader(directory).load(file: Self.swiftExample)
        #expect(image.swiftToolchain == SwiftToolchain.host)
    }

    @Test("a C plugin has no record and loads")
    func cPluginUnchecked() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let image = try LoaderFixtures.loader(directory).load(file: try await LoaderFixtures.plugin("plain.so", in: directory))
        #expect(image.swiftToolchain == nil)
    }

    @Test("a Swift plugin whose recorded release was patched is refused, naming both releases")
    func patchedReleaseRefused() throws {
        guard FileManager.default.fileExists(atPath: Self.swiftExample) else {
            Issue.record("\(Self.swiftExample) is missing: run `swift build` first (tools/test does)")
            return
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let host = SwiftToolchain.host.swiftRelease
        let other = host == "6.2.0" ? "6.1.0" : "6.2.0"
        // The release follows the 16-byte magic field: patch it there, NUL included.
        let bytes = try LoaderFixtures.bytes(Self.swiftExample)
        let file = try LoaderFixtures.write(
            try patched(bytes, "sluice-swift-1\0\0" + host + "\0", "sluice-swift-1\0\0" + other + "\0"),
            to: "enricher.so", in: directory)
        #expect(throws: PluginRefusal(
            file: file, reason: .toolchainMismatch,
            detail: "built with Swift \(other), this host with Swift \(host): Swift has no stable ABI on Linux and a Swift plugin runs on the host's Swift runtime; rebuild the plugin with Swift \(host)")) {
            try LoaderFixtures.loader(directory).load(file: file)
        }
    }

    @Test("a record of another release is refused, the same release from another compiler names both compilers")
    func fixtureRecords() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let host = SwiftToolchain.host
        let older = try await fixtureWithRecord(release: "6.0.0", in: directory)
        #expect(throws: PluginRefusal(
            file: older, reason: .toolchainMismatch,
            detail: "built with Swift 6.0.0, this host with \(host): Swift has no stable ABI on Linux and a Swift plugin runs on the host's Swift runtime; rebuild the plugin with \(host)")) {
            try LoaderFixtures.loader(directory).load(file: older)
        }

        // The fixture is compiled by cc (GCC here), not by the toolchain's clang.
        let sameRelease = try await fixtureWithRecord(release: host.swiftRelease, in: directory)
        let refusal = try #require(throws: PluginRefusal.self) { try LoaderFixtures.loader(directory).load(file: sameRelease) }
        #expect(refusal.reason == .toolchainMismatch)
        #expect(refusal.detail.hasPrefix("built with \(host) (C compiler "))
        #expect(refusal.detail.contains("this host with \(host) (C compiler \(host.cCompiler))"))
    }

    @Test("an unreadable record is refused, naming what is wrong")
    func unreadableRecord() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let built = try await fixtureWithRecord(release: "6.0.0", in: directory)
        let file = try LoaderFixtures.write(
            try patched(try LoaderFixtures.bytes(built), "sluice-swift-1", "sluice-swift-9"), to: "odd.so", in: directory)
        #expect(throws: PluginRefusal(
            file: file, reason: .toolchainMismatch,
            detail: "unreadable Swift toolchain record (section sluice_toolchain): unknown record layout (expected sluice-swift-1)")) {
            try LoaderFixtures.loader(directory).load(file: file)
        }
    }
}
