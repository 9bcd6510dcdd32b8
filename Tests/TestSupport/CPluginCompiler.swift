import Foundation

/// Builds C plugins the way a plugin author would: `cc -shared -fPIC -I <include>`.
public enum CPluginCompiler {
    /// Compiles `sources` into the shared object `output`.
    /// - Parameters:
    ///   - includeDirectory: where `sluice_plugin.h` is; the repository's by default.
    ///   - flags: extra compiler flags (`-DNAME=value`, ...).
    @discardableResult
    public static func compile(sources: [String], output: String,
                               includeDirectory: String = RepositoryPaths.pluginInclude,
                               flags: [String] = []) async throws -> String {
        try await ProcessRunner.run(command(sources: sources, output: output, includeDirectory: includeDirectory, flags: flags))
        return output
    }

    private static func command(sources: [String], output: String, includeDirectory: String, flags: [String]) -> [String] {
        ["cc", "-std=c99", "-O2", "-Wall", "-Werror", "-shared", "-fPIC", "-pthread", "-I", includeDirectory]
            + flags + sources + ["-o", output]
    }
}
