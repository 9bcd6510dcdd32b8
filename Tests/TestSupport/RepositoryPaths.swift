import Foundation

/// Paths inside this repository, found from this source file's location so
/// tests work from any working directory.
public enum RepositoryPaths {
    /// The repository root (the folder holding Package.swift).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        // Tests/TestSupport/RepositoryPaths.swift → root
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `PluginAPI/include`, the folder holding sluice_plugin.h.
    public static var pluginInclude: String { root + "/PluginAPI/include" }

    /// An absolute path for a path relative to the repository root.
    public static func path(_ relative: String) -> String { root + "/" + relative }
}
