import CSluicePlugin
import SluicePluginKit

/// A plugin file that passed every check and is mapped into the process (never unloaded).
public struct PluginImage: Sendable {
    /// The agent name (`[a-z0-9_-]{1,64}`).
    public let name: String
    /// The plugin's free-form version string.
    public let version: String
    /// The descriptor's one-line `description`, if any.
    public let summary: String?
    /// The default input topics.
    public let topics: [String]
    /// The raw `SLUICE_CAP_*` bits.
    public let capabilities: UInt64
    /// The JSON Schema of the configuration, if the plugin declares one.
    public let configSchema: String?
    /// ``configSchema`` as the host checks it (nil without one, or when it cannot be read:
    /// the loader refuses such a plugin).
    public let checkedConfigSchema: ConfigSchema.Parsed?
    /// The ABI minor version the plugin was built against.
    public let abiMinor: UInt16
    /// The descriptor's `struct_size`.
    public let descriptorSize: Int
    /// The file in the plugins directory.
    public let sourcePath: String
    /// The content-addressed private copy that was `dlopen`ed.
    public let privatePath: String
    /// Hex SHA-256 digest of the file's content.
    public let sha256: String
    /// The validated descriptor.
    public let descriptor: PluginDescriptorReference
    /// The tables the agent keeps (ABI 1.2 `tables`); empty for a stateless agent.
    public let tables: [String]
    /// Whether the plugin handles timers (ABI 1.2 `on_timer` is set).
    public let handlesTimers: Bool
    /// The Swift toolchain recorded by the SDK (equal to the host's, or the
    /// file was refused); nil for a plugin without a record, such as a C plugin.
    public internal(set) var swiftToolchain: SwiftToolchain?

    /// Creates an image description; the loader is the only intended caller.
    public init(name: String, version: String, summary: String?, topics: [String], capabilities: UInt64,
                configSchema: String?, abiMinor: UInt16, descriptorSize: Int, sourcePath: String,
                privatePath: String, sha256: String, descriptor: PluginDescriptorReference,
                tables: [String] = [], handlesTimers: Bool = false) {
        self.name = name
        self.version = version
        self.summary = summary
        self.topics = topics
        self.capabilities = capabilities
        self.configSchema = configSchema
        checkedConfigSchema = configSchema.flatMap { try? ConfigSchema.parse($0) }
        self.abiMinor = abiMinor
        self.descriptorSize = descriptorSize
        self.sourcePath = sourcePath
        self.privatePath = privatePath
        self.sha256 = sha256
        self.descriptor = descriptor
        self.tables = tables
        self.handlesTimers = handlesTimers
    }

    /// Whether the agent keeps state: it declares tables or handles timers.
    public var isStateful: Bool { !tables.isEmpty || handlesTimers }

    /// The capability bits with their names.
    public var capabilityFlags: PluginCapabilities { PluginCapabilities(rawValue: capabilities) }

    /// The capacity of the error buffer handed to `validate_config`.
    static let errorCapacity = 1024

    /// ``configSchema`` as it may be shown (`sluice plugins inspect`): the
    /// `default` of a secret (`"writeOnly": true`) redacted.
    public var displayedConfigSchema: String? {
        configSchema.map(SecretRedaction.redactingSecretDefaults(inSchema:))
    }

    /// The sidecar whose `config:` this plugin's agent runs with (`NAME.yaml` beside `NAME.so`).
    public var sidecarPath: String { PluginSidecarReader.path(forPlugin: sourcePath) }

    /// The keys of the configuration that hold secrets: those the
    /// `config_schema` marks `"writeOnly": true` (names that look secret are
    /// redacted anyway).
    public var secretConfigKeys: Set<String> { checkedConfigSchema?.schema.secretKeys ?? [] }

    /// Checks configuration JSON text against the plugin's `config_schema`
    /// (when it has one), then runs the plugin's validate_config_v2 with the
    /// descriptor's context (ABI 1.2), or else its validate_config (if present).
    /// The schema check is the host's, the same for C and Swift plugins.
    ///
    /// - Throws: `PluginRefusal` with reason `invalidConfiguration`: naming the
    ///   sidecar and the dotted key (`plugins/x.yaml: config.ttl: expected an
    ///   integer from 1 to 86400, found 0`), or with the plugin's reason.
    public func validateConfiguration(_ json: String) throws(PluginRefusal) {
        try checkAgainstSchema(json)
        let validate: (_ config: UnsafePointer<CChar>?, _ length: Int, _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int32
        let function: String
        if let validateV2 = descriptor.member(\.validate_config_v2) ?? nil {
            let context = descriptor.member(\.context) ?? nil
            validate = { validateV2(context, $0, $1, $2, $3) }
            function = "validate_config_v2"
        } else if let validateV1 = descriptor.member(\.validate_config) ?? nil {
            validate = { validateV1($0, $1, $2, $3) }
            function = "validate_config"
        } else {
            return
        }
        var error = [CChar](repeating: 0, count: Self.errorCapacity)
        // The plugin gets an explicit length, but a trailing NUL protects one that ignores it.
        var text = Array(json.utf8CString)
        let status = text.withUnsafeMutableBufferPointer { textBuffer in
            error.withUnsafeMutableBufferPointer { errorBuffer in
                validate(textBuffer.baseAddress, textBuffer.count - 1, errorBuffer.baseAddress, errorBuffer.count)
            }
        }
        guard status != SLUICE_STATUS_OK else { return }
        error[error.count - 1] = 0  // a plugin that filled the buffer may have left no NUL
        let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw PluginRefusal(
            file: sourcePath, reason: .invalidConfiguration,
            detail: "configuration rejected by \(function): \(reason.isEmpty ? "(no reason given)" : reason)")
    }

    /// The schema check of ``validateConfiguration(_:)``.
    func checkAgainstSchema(_ json: String) throws(PluginRefusal) {
        guard let schema = checkedConfigSchema?.schema else { return }
        let value: JSONValue
        do {
            value = try JSONValue.parse(json)
        } catch {
            throw PluginRefusal(file: sourcePath, reason: .invalidConfiguration, detail: "\(sidecarPath): config: \(error)")
        }
        if let violation = schema.violation(in: value) {
            throw PluginRefusal(file: sourcePath, reason: .invalidConfiguration, detail: violation.described(inFile: sidecarPath))
        }
    }
}
