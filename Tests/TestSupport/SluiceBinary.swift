import Foundation

/// The `sluice` executable built by `swift build` (which `tools/test` runs before testing).
public enum SluiceBinary {
    /// Its path in the debug build folder.
    public static let path = RepositoryPaths.path(".build/debug/sluice")

    /// The binary is missing: the message says how to build it.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "\(SluiceBinary.path) is missing: run swift build first" }
    }

    /// Throws `Missing` unless the binary exists.
    public static func require() throws {
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing() }
    }
}
