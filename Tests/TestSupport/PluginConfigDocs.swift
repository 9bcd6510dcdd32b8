import Foundation
import Logging
import SluiceHost

/// Compares a plugin's documented configuration table with the one its
/// declaration generates, read from the built plugin's `config_schema` the
/// way the host reads it: the docs cannot drift from what the plugin checks.
public enum PluginConfigDocs {
    /// The header every generated configuration table starts with.
    public static let header = "| key | value | default | meaning |"

    /// The generated rows (no header) of the built Swift plugin `product`
    /// (`.build/debug/lib<product>.so`), loaded by the host's loader.
    public static func generatedRows(ofBuiltPlugin product: String) throws -> [String] {
        let built = RepositoryPaths.path(".build/debug/lib\(product).so")
        let directory = try TemporaryDirectory(prefix: "sluice-config-docs")
        defer { directory.remove() }
        let file = directory.file("\(product).so")
        try FileManager.default.copyItem(atPath: built, toPath: file)
        let loader = PluginLoader(imageDirectory: directory.file("images"), logger: Logger(label: "config-docs") { _ in SwiftLogNoOpLogHandler() })
        let image = try loader.load(file: file)
        guard let table = image.checkedConfigSchema?.schema.markdownTable else {
            throw HarnessError("\(product) declares no config_schema")
        }
        return Array(table.split(separator: "\n").dropFirst(2).map(String.init))
    }

    /// The rows of every table in the Markdown file `path` (relative to the
    /// repository) headed ``header``, in file order (a plugin may split its keys
    /// over several tables, e.g. one per mode).
    public static func documentedRows(inFile path: String) throws -> [String] {
        let text = try String(contentsOfFile: RepositoryPaths.path(path), encoding: .utf8)
        var rows: [String] = []
        var inTable = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == header { inTable = true; continue }
            guard inTable else { continue }
            if line.hasPrefix("|---") { continue }
            guard line.hasPrefix("| ") else { inTable = false; continue }
            rows.append(line)
        }
        return rows
    }
}

extension HostHarness {
    /// Runs a host with the built Swift plugin `product` installed as `name`
    /// with sidecar `config:` lines `config`, and returns the refusal line
    /// (nil when the agent started).
    public static func refusal(ofBuiltPlugin product: String, as name: String, config: String) async throws -> String? {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try harness.installBuiltPlugin(product: product, as: name, sidecar: "config:\n" + config)
        return try await harness.withRuntime { runtime in runtime.refusals.first?.description }
    }
}
