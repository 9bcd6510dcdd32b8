import Foundation

/// Reads a plugin's sidecar `NAME.yaml` the way the plugin itself is read:
/// trusted (owner, permissions, path), a regular file opened without
/// blocking, at most `sizeLimit` bytes; then parsed (aliases refused) and its
/// environment references checked against the host's allow-list.
enum PluginSidecarReader {
    /// The largest sidecar read: 1 MiB.
    static let sizeLimit = 1 << 20

    /// The sidecar of plugin `file` over `defaults`; `defaults` when there is none.
    ///
    /// - Throws: `PluginRefusal` about `file` for the sidecar's kind, owner,
    ///   permissions or size; `ConfigurationError` naming the sidecar for its content.
    static func read(forPlugin file: String, trust: PluginTrust, defaults: AgentSettings,
                     allowedEnvironment: [String]) throws -> AgentSettings {
        try read(sidecar: path(forPlugin: file), refusing: file, trust: trust, defaults: defaults,
                 allowedEnvironment: allowedEnvironment)
    }

    /// The sidecar `sidecar` over `defaults` (`defaults` when there is none);
    /// a sidecar that may not be trusted refuses `file`.
    static func read(sidecar: String, refusing file: String, trust: PluginTrust, defaults: AgentSettings,
                     allowedEnvironment: [String]) throws -> AgentSettings {
        var status = stat()
        guard lstat(sidecar, &status) == 0 || errno != ENOENT else {
            try PluginEnvironmentRule.check(defaults.config, file: nil, key: "defaults.config", allowed: allowedEnvironment)
            return defaults
        }
        // A directory is a mistake in the configuration, reported as such (a
        // broken sidecar stops the start); a FIFO, socket or device, or a file
        // others may write, is not trusted: the plugin is refused.
        var target = stat()
        if stat(sidecar, &target) == 0, target.st_mode & S_IFMT == S_IFDIR {
            throw ConfigurationError(file: sidecar, key: "", expected: "a readable file",
                                     found: "an OS error: \(PluginFileReader.errorText(EISDIR))")
        }
        let bytes = try PluginFileReader.contents(
            of: sidecar, trust: trust, limit: sizeLimit, subject: "sidecar \(sidecar)",
            expected: "a regular YAML file", refusing: file)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(file: sidecar, key: "", expected: "UTF-8 text", found: "bytes that are not UTF-8")
        }
        let settings = try ConfigurationLoader.parseAgent(yaml: text, name: sidecar, defaults: defaults)
        try PluginEnvironmentRule.check(settings.config, file: sidecar, key: "config", allowed: allowedEnvironment)
        return settings
    }

    /// `NAME.yaml` beside `NAME.so`.
    static func path(forPlugin file: String) -> String {
        URL(fileURLWithPath: file).deletingPathExtension().path + ".yaml"
    }
}
