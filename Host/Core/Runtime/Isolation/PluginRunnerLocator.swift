import Foundation

/// Where `sluice-plugin-runner` is: `SLUICE_PLUGIN_RUNNER` when set, else
/// beside the running executable (installed next to `sluice`; in a build
/// directory, next to the test bundle too).
enum PluginRunnerLocator {
    /// The runner's path, or why there is none.
    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<String, RunnerUnavailable> {
        if let configured = environment["SLUICE_PLUGIN_RUNNER"], !configured.isEmpty {
            return FileManager.default.isExecutableFile(atPath: configured)
                ? .success(configured)
                : .failure(RunnerUnavailable(path: configured, source: "SLUICE_PLUGIN_RUNNER"))
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? ""
        let beside = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("sluice-plugin-runner").path
        return FileManager.default.isExecutableFile(atPath: beside)
            ? .success(beside)
            : .failure(RunnerUnavailable(path: beside, source: "the directory of \(executable)"))
    }

    /// No runner to start.
    struct RunnerUnavailable: Error, CustomStringConvertible {
        let path: String
        let source: String
        var description: String {
            "isolation: process needs sluice-plugin-runner, which is not an executable file at \(path) (from \(source)); install it beside sluice or set SLUICE_PLUGIN_RUNNER"
        }
    }
}
