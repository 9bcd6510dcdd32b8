import Foundation
import Logging
import SluiceHost
import Testing
import TestSupport

/// The plugins directory is a trust boundary: a plugin or a sidecar loads only
/// when it, every directory on its real path and the plugins directory are
/// owned by the host's user or root and writable by no one else.
@Suite("Plugin directory trust")
struct PluginDirectoryTrustTests {
    /// A temporary directory with an empty `plugins/` (0755) inside.
    private func pluginsDirectory(_ directory: TemporaryDirectory) throws -> String {
        try TrustFixtures.makeDirectory(directory.file("plugins"))
    }

    // Changing a file's owner to another user needs root; the suite runs as root in CI.
    @Test("a plugin owned by another user is refused, naming its owner", .enabled(if: TrustFixtures.canChown))
    func fileOwnedByAnotherUser() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = try pluginsDirectory(directory)
        let path = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: plugins + "/other.so")
        let other = try await TrustFixtures.otherUser()
        try TrustFixtures.setOwner(path, uid: other)
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        #expect(refusal.reason == .untrustedOwner)
        #expect(refusal.description.hasPrefix("\(path) refused: owned by another user (mode 0755, owner uid \(other) (\(TrustFixtures.otherUserName))"))
        #expect(refusal.description.hasSuffix("expected owner uid \(geteuid()) (root) or root (chown)"))
    }

    @Test("a group-writable plugin is refused before it is read")
    func groupWritableFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = try pluginsDirectory(directory)
        let path = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: plugins + "/shared.so")
        try LoaderFixtures.setMode(0o664, path)
        let loader = LoaderFixtures.loader(directory)
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in try loader.load(file: path) })
        #expect(refusal.reason == .unsafePermissions)
        #expect(refusal.description.hasPrefix("\(path) refused: group-writable (mode 0664, owner uid \(geteuid())"))
        #expect(refusal.description.hasSuffix("); expected no write permission for its group (chmod g-w)"))
        try LoaderFixtures.setMode(0o644, path)
        #expect(throws: Never.self) { try loader.load(file: path) }
    }

    @Test("a group-writable plugins directory is refused at start and on every load")
    func groupWritableDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = try pluginsDirectory(directory)
        let path = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: plugins + "/one.so")
        let loader = LoaderFixtures.loader(directory)
        _ = try loader.load(file: path)
        try LoaderFixtures.setMode(0o775, plugins)
        let directoryRefusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) -> PluginImage in
            try loader.checkDirectory(plugins)
            return try loader.load(file: path)
        })
        #expect(directoryRefusal.description.hasPrefix("\(plugins) refused: plugins directory is group-writable (mode 0775"))
        let fileRefusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in try loader.load(file: path) })
        #expect(fileRefusal.reason == .unsafePermissions)
        #expect(fileRefusal.description.hasPrefix("\(path) refused: plugins directory \(plugins) is group-writable (mode 0775"))
    }

    @Test("a plugin reached through a symlink into a world-writable directory is refused, naming that directory")
    func symlinkIntoWorldWritableDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = try pluginsDirectory(directory)
        let shared = try TrustFixtures.makeDirectory(directory.file("shared"), mode: 0o777)
        let target = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: shared + "/real.so")
        try TrustFixtures.link(plugins + "/linked.so", to: target)
        let loader = LoaderFixtures.loader(directory)
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try loader.load(file: plugins + "/linked.so")
        })
        #expect(refusal.reason == .unsafePermissions)
        let realShared = try #require(realpath(shared, nil).map { String(cString: $0) })
        #expect(refusal.description.contains("directory \(realShared) on the real path \(realShared)/real.so is world-writable (mode 0777"))
        try LoaderFixtures.setMode(0o755, shared)
        #expect(throws: Never.self) { try loader.load(file: plugins + "/linked.so") }
    }

    @Test("a world-writable subdirectory reached through a symlinked directory is refused")
    func symlinkedSubdirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = try pluginsDirectory(directory)
        let sub = try TrustFixtures.makeDirectory(plugins + "/sub", mode: 0o777)
        _ = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: sub + "/inner.so")
        try TrustFixtures.link(plugins + "/inner.so", to: "sub/inner.so")
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: plugins + "/inner.so")
        })
        #expect(refusal.reason == .unsafePermissions)
        #expect(refusal.detail.contains("/plugins/sub on the real path"))
        #expect(refusal.detail.contains("is world-writable (mode 0777"))
    }

    @Test("a plugins directory reached through a symlink, and a plugin linked to a safe directory, load")
    func safeSymlinksLoad() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = try pluginsDirectory(directory)
        let store = try TrustFixtures.makeDirectory(directory.file("store"))
        let target = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: store + "/real.so")
        try TrustFixtures.link(plugins + "/fixture.so", to: target)
        try TrustFixtures.link(directory.file("current"), to: plugins)
        let result = try LoaderFixtures.loader(directory).scan(directory: directory.file("current"))
        #expect(result.refusals.isEmpty)
        #expect(result.images.map(\.sourcePath) == [directory.file("current") + "/fixture.so"])
    }

    @Test("a sidecar with unsafe permissions refuses its plugin, naming the sidecar")
    func unsafeSidecar() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = try pluginsDirectory(directory)
        let path = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: plugins + "/one.so")
        let sidecar = plugins + "/one.yaml"
        try "batch_size: 10\n".write(toFile: sidecar, atomically: false, encoding: .utf8)
        try LoaderFixtures.setMode(0o666, sidecar)
        let loader = LoaderFixtures.loader(directory)
        let refusal = try #require(TrustFixtures.refusal {
            try loader.readSidecar(forPlugin: path, defaults: AgentSettings(), allowedEnvironment: [])
        })
        #expect(refusal.file == path)
        #expect(refusal.reason == .unsafePermissions)
        #expect(refusal.detail.hasPrefix("sidecar \(sidecar) is world-writable (mode 0666"))
        try LoaderFixtures.setMode(0o620, sidecar)
        let groupRefusal = try #require(TrustFixtures.refusal {
            try loader.readSidecar(forPlugin: path, defaults: AgentSettings(), allowedEnvironment: [])
        })
        #expect(groupRefusal.detail.hasPrefix("sidecar \(sidecar) is group-writable (mode 0620"))
        try LoaderFixtures.setMode(0o644, sidecar)
        let settings = try loader.readSidecar(forPlugin: path, defaults: AgentSettings(), allowedEnvironment: [])
        #expect(settings.batchSize == 10)
    }

    // Changing a file's owner to another user needs root; the suite runs as root in CI.
    @Test("a sidecar owned by another user refuses its plugin", .enabled(if: TrustFixtures.canChown))
    func sidecarOwnedByAnotherUser() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = try pluginsDirectory(directory)
        let path = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: plugins + "/one.so")
        let sidecar = plugins + "/one.yaml"
        try "batch_size: 10\n".write(toFile: sidecar, atomically: false, encoding: .utf8)
        try TrustFixtures.setOwner(sidecar, uid: try await TrustFixtures.otherUser())
        let refusal = try #require(TrustFixtures.refusal {
            try LoaderFixtures.loader(directory).readSidecar(forPlugin: path, defaults: AgentSettings(), allowedEnvironment: [])
        })
        #expect(refusal.reason == .untrustedOwner)
        #expect(refusal.detail.hasPrefix("sidecar \(sidecar) is owned by another user"))
    }

    @Test("a trusted group's write permission is accepted, another group's is not")
    func trustedGroup() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = try pluginsDirectory(directory)
        let path = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: plugins + "/shared.so")
        try LoaderFixtures.setMode(0o775, plugins)
        try LoaderFixtures.setMode(0o664, path)
        var status = stat()
        #expect(stat(path, &status) == 0)
        let images = directory.file("images")
        let trusting = PluginLoader(imageDirectory: images, trust: PluginTrust(trustedGroup: status.st_gid),
                                    logger: Logger(label: "trust-test") { _ in SwiftLogNoOpLogHandler() })
        #expect(throws: Never.self) { try trusting.load(file: path) }
        let other = PluginLoader(imageDirectory: images, trust: PluginTrust(trustedGroup: status.st_gid &+ 1),
                                 logger: Logger(label: "trust-test") { _ in SwiftLogNoOpLogHandler() })
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in try other.load(file: path) })
        #expect(refusal.detail.contains("(only the trusted group gid \(status.st_gid &+ 1)"))
    }
}
