import Foundation
import TestSupport

/// One run of `make demo` (→ `tools/demo`) with the products already built by
/// `swift build` (SLUICE_DEMO_SKIP_BUILD=1), its output captured.
enum DemoRun {
    /// A plugin the demo loads was not built.
    struct MissingPlugin: Error, CustomStringConvertible {
        let file: String
        var description: String { "\(file) is missing: run swift build first (it builds every product)" }
    }

    /// Runs the demo; `kafka` runs it over the local broker (KAFKA=1);
    /// `screenshot` names the file for a picture of the host's status page
    /// (SLUICE_DEMO_SCREENSHOT). Its output is a file, not a terminal: the
    /// demo must not wait for Enter.
    static func run(kafka: Bool = false, screenshot: String? = nil) async throws -> ProcessRunner.Result {
        try SluiceBinary.require()
        for product in ["SluiceRedis", "SluiceHTTP", "SluiceInfluxDB", "SluiceElasticsearch", "SluiceOrderStats"] {
            let file = RepositoryPaths.path(".build/debug/lib\(product).so")
            guard FileManager.default.fileExists(atPath: file) else { throw MissingPlugin(file: file) }
        }
        return try await ProcessRunner.run(["make", "--no-print-directory", "demo", "KAFKA=\(kafka ? 1 : 0)"],
                                     environment: ["SLUICE_DEMO_SKIP_BUILD": "1",
                                                   "SLUICE_DEMO_SCREENSHOT": screenshot ?? ""],
                                     currentDirectory: RepositoryPaths.root, check: false,
                                     timeout: .seconds(600))
    }

    /// The lines of `output` under the heading that starts with `heading`, up to the next blank line.
    static func section(_ heading: String, of output: String) -> [String] {
        let lines = output.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix(heading) }) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty })
    }
}
