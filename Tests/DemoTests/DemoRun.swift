import Foundation
import TestSupport

/// One run of `tools/demo` (what `make demo` runs) with the products already
/// built by `swift build` (SLUICE_DEMO_SKIP_BUILD=1), its output captured.
enum DemoRun {
    /// Runs the demo; `kafka` runs it over the local broker (KAFKA=1).
    static func run(kafka: Bool = false) throws -> ProcessRunner.Result {
        try SluiceBinary.require()
        return try ProcessRunner.run([RepositoryPaths.path("tools/demo")],
                                     environment: ["SLUICE_DEMO_SKIP_BUILD": "1", "KAFKA": kafka ? "1" : "0"],
                                     currentDirectory: RepositoryPaths.root, check: false)
    }

    /// The lines of `output` under the heading that starts with `heading`, up to the next blank line.
    static func section(_ heading: String, of output: String) -> [String] {
        let lines = output.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix(heading) }) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty })
    }
}
