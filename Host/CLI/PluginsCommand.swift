import ArgumentParser
import Foundation
import Logging
import SluiceHost

/// `sluice plugins`: commands about plugin files.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "Inspect plugin files, or list the plugins a running host uses.",
        subcommands: [PluginsInspectCommand.self, PluginsListCommand.self]
    )
}

/// `sluice plugins inspect FILE [--json]`: loads one plugin file with the
/// host's checks and prints its descriptor, or the refusal line (exit status 1).
struct PluginsInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Check a plugin file and print what its descriptor declares."
    )

    @Argument(help: "The plugin shared object (.so).")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(name: .customLong("config-table"),
          help: "Print the configuration keys as the Markdown table of the plugin's docs (from its config_schema).")
    var configTable = false

    func run() throws {
        let imageDirectory = try Self.makeTemporaryDirectory()
        // The copy is already mapped when the directory goes: mappings outlive their file.
        defer { try? FileManager.default.removeItem(atPath: imageDirectory) }
        var logger = Logger(label: "sluice.plugins.inspect")
        logger.logLevel = .critical  // the outcome is printed below; log lines would only repeat it
        let loader = PluginLoader(imageDirectory: imageDirectory, logger: logger)
        let image: PluginImage
        do {
            image = try loader.load(file: file)
        } catch {
            if json {
                print(try Self.json(PluginsInspectRefusal(error)))
            } else {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
            }
            throw ExitCode(1)
        }
        if configTable {
            guard let table = image.checkedConfigSchema?.schema.markdownTable else {
                FileHandle.standardError.write(Data("\(file): the plugin declares no config_schema\n".utf8))
                throw ExitCode(1)
            }
            print(table, terminator: "")
            return
        }
        print(json ? try Self.json(PluginsInspectReport(image)) : Self.text(image))
    }

    /// The text form: one `label: value` line per field.
    static func text(_ image: PluginImage) -> String {
        let flags = image.capabilityFlags.names
        let capabilities = flags.isEmpty
            ? "none (0x0)" : "\(flags.joined(separator: ", ")) (0x\(String(image.capabilities, radix: 16)))"
        let rows: [(String, String)] = [
            ("name", image.name),
            ("version", image.version),
            ("description", image.summary ?? "(none)"),
            ("abi", "1.\(image.abiMinor)"),
            ("descriptor", "\(image.descriptorSize) bytes"),
            ("toolchain", image.swiftToolchain.map { "\($0) (C compiler \($0.cCompiler))" }
                ?? "no Swift toolchain record (a C plugin, or built without the SDK)"),
            ("topics", image.topics.isEmpty ? "(none)" : image.topics.joined(separator: ", ")),
            ("capabilities", capabilities),
            ("tables", image.tables.isEmpty ? "(none)" : image.tables.joined(separator: ", ")),
            ("timers", image.handlesTimers ? "yes (on_timer)" : "no"),
            ("config schema", image.displayedConfigSchema ?? "(none)"),
            ("isolation", "in_process by default (fastest; a crash stops the host). A sidecar's `isolation: process` "
                + "runs it in a runner process of its own: a crash costs that runner, never the host. "
                + "Choose process for plugins you do not control (docs/isolation.md)"),
            ("sha256", image.sha256),
            ("file", image.sourcePath),
        ]
        let width = rows.map(\.0.count).max()! + 2
        return rows.map { label, value in
            (label + ":").padding(toLength: width, withPad: " ", startingAt: 0) + value
        }.joined(separator: "\n")
    }

    /// Pretty-printed JSON with sorted keys, for scripts and people alike.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A fresh private directory for the content-addressed copy (removed after the run).
    static func makeTemporaryDirectory() throws -> String {
        try PrivateTemporaryDirectory.make(prefix: "sluice-inspect")
    }
}

/// What `sluice plugins inspect --json` prints for a loadable plugin (keys in snake_case, as the admin API).
struct PluginsInspectReport: Encodable {
    let name: String
    let version: String
    let description: String?
    let abi: String
    let abiMajor: Int
    let abiMinor: Int
    let descriptorSize: Int
    let topics: [String]
    let capabilities: [String]
    let capabilityBits: UInt64
    let tables: [String]
    let handlesTimers: Bool
    let configSchema: String?
    let swiftRelease: String?
    let cCompiler: String?
    let sha256: String
    let file: String

    /// The report for a loaded image.
    init(_ image: PluginImage) {
        name = image.name
        version = image.version
        description = image.summary
        abi = "1.\(image.abiMinor)"
        abiMajor = 1
        abiMinor = Int(image.abiMinor)
        descriptorSize = image.descriptorSize
        topics = image.topics
        capabilities = image.capabilityFlags.names
        capabilityBits = image.capabilities
        tables = image.tables
        handlesTimers = image.handlesTimers
        configSchema = image.displayedConfigSchema
        swiftRelease = image.swiftToolchain?.swiftRelease
        cCompiler = image.swiftToolchain?.cCompiler
        sha256 = image.sha256
        file = image.sourcePath
    }

    // Absent optional fields print as null rather than disappearing.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(version, forKey: .version)
        try container.encode(description, forKey: .description)
        try container.encode(abi, forKey: .abi)
        try container.encode(abiMajor, forKey: .abiMajor)
        try container.encode(abiMinor, forKey: .abiMinor)
        try container.encode(descriptorSize, forKey: .descriptorSize)
        try container.encode(topics, forKey: .topics)
        try container.encode(capabilities, forKey: .capabilities)
        try container.encode(capabilityBits, forKey: .capabilityBits)
        try container.encode(tables, forKey: .tables)
        try container.encode(handlesTimers, forKey: .handlesTimers)
        try container.encode(configSchema, forKey: .configSchema)
        try container.encode(swiftRelease, forKey: .swiftRelease)
        try container.encode(cCompiler, forKey: .cCompiler)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(file, forKey: .file)
    }

    // snake_case, as the admin API speaks.
    private enum CodingKeys: String, CodingKey {
        case name, version, description, abi, topics, capabilities, tables, sha256, file
        case handlesTimers = "handles_timers"
        case abiMajor = "abi_major"
        case abiMinor = "abi_minor"
        case descriptorSize = "descriptor_size"
        case capabilityBits = "capability_bits"
        case configSchema = "config_schema"
        case swiftRelease = "swift_release"
        case cCompiler = "c_compiler"
    }
}

/// What `sluice plugins inspect --json` prints for a refused file.
struct PluginsInspectRefusal: Encodable {
    let file: String
    let reason: String
    let detail: String
    let refusal: String

    /// The report for a refusal.
    init(_ refusal: PluginRefusal) {
        file = refusal.file
        reason = refusal.reason.rawValue
        detail = refusal.detail
        self.refusal = refusal.description
    }
}
