import Foundation
import Logging
import SluiceHost
import TestSupport

/// Builds the loader's test plugins from `Fixtures/fixture_plugin.c` and
/// other broken files, each in a test's own temporary directory.
enum LoaderFixtures {
    /// The one C source every plugin variant is compiled from.
    static let source = RepositoryPaths.path("Tests/LoaderTests/Fixtures/fixture_plugin.c")

    /// The frozen ABI v1.0 header's folder (see ABIStabilityTests).
    static let frozenV1_0Include = RepositoryPaths.path("Tests/Fixtures/abi-v1.0")

    /// Compiles the fixture with `flags` into `directory/name`.
    @discardableResult
    static func plugin(_ name: String, in directory: TemporaryDirectory, flags: [String] = [],
                       includeDirectory: String = RepositoryPaths.pluginInclude) async throws -> String {
        try await CPluginCompiler.compile(sources: [source], output: directory.file(name),
                                    includeDirectory: includeDirectory, flags: flags)
    }

    /// Writes `bytes` to `directory/name` (mode 0644) and returns the path.
    @discardableResult
    static func write(_ bytes: [UInt8], to name: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try setMode(0o644, path)
        return path
    }

    /// chmod, throwing on failure.
    static func setMode(_ mode: mode_t, _ path: String) throws {
        guard chmod(path, mode) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// The bytes of a file.
    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Where an ELF64 file's section header table ends: e_shoff + e_shnum * e_shentsize.
    static func sectionHeadersEnd(_ bytes: [UInt8]) -> Int {
        func integer(_ offset: Int, _ width: Int) -> Int {
            (0..<width).reversed().reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
        }
        return integer(40, 8) + integer(60, 2) * integer(58, 2)
    }

    /// A loader whose private copies go to `directory/images`, logging into `log` if given.
    static func loader(_ directory: TemporaryDirectory, log: RecordedLog? = nil) -> PluginLoader {
        let logger = Logger(label: "loader-test") { _ in
            if let log { return RecordingLogHandler(log: log) }
            return SwiftLogNoOpLogHandler()
        }
        return PluginLoader(imageDirectory: directory.file("images"), logger: logger)
    }

    /// Runs `body`, expecting it to throw a refusal, and returns that refusal.
    static func refusal(_ body: () throws(PluginRefusal) -> PluginImage) -> PluginRefusal? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }
}

extension LoaderFixtures {
    /// Compiles the fixture as agent `agent` into the plugins directory of `harness`.
    static func compile(agent: String, into harness: HostHarness, flags: [String]) async throws {
        try await CPluginCompiler.compile(sources: [source], output: harness.pluginsDirectory + "/\(agent).so",
                                          includeDirectory: RepositoryPaths.pluginInclude,
                                          flags: ["-DNAME=\"\(agent)\""] + flags)
    }
}
