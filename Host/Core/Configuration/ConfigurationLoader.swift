import Foundation
import Yams

/// Reads the host's configuration and the agents' sidecars.
///
/// Precedence, lowest first: built-in defaults, sluice.yaml, `SLUICE_*`
/// environment variables, then command-line flags (applied by the CLI).
public enum ConfigurationLoader {
    /// Reads sluice.yaml (file may be nil: defaults), then applies `SLUICE_*`
    /// environment overrides. An explicitly given file must exist and be
    /// readable; an empty file means the defaults.
    public static func loadHost(file: String?, environment: [String: String]) throws(ConfigurationError) -> HostConfiguration {
        var configuration = HostConfiguration(environment: environment)
        if let file, let root = try document(at: file, missingIsError: true) {
            let mapping = try YAMLMapping(root, file: file, path: "")
            configuration = try HostConfigurationReader.read(
                mapping, over: configuration, home: HostConfiguration.homeDirectory(environment: environment))
        }
        try EnvironmentOverrides.apply(environment, to: &configuration)
        return configuration
    }

    /// Reads an agent's sidecar NAME.yaml (nil or missing file: the defaults
    /// unchanged) over the host's defaults. Keys present replace the defaults'
    /// values (inside `retry:` key by key; `config:` as a whole).
    public static func loadAgent(sidecar file: String?, defaults: AgentSettings) throws(ConfigurationError) -> AgentSettings {
        guard let file, let root = try document(at: file, missingIsError: false) else { return defaults }
        let mapping = try YAMLMapping(root, file: file, path: "")
        return try AgentSettingsReader.read(mapping, over: defaults)
    }

    /// Parses sluice.yaml text not read from a file (tests, `--config -`);
    /// `name` stands for the file in errors.
    public static func parseHost(yaml text: String, name: String, environment: [String: String]) throws(ConfigurationError) -> HostConfiguration {
        var configuration = HostConfiguration(environment: environment)
        if let root = try parse(text, file: name) {
            configuration = try HostConfigurationReader.read(
                YAMLMapping(root, file: name, path: ""), over: configuration,
                home: HostConfiguration.homeDirectory(environment: environment))
        }
        try EnvironmentOverrides.apply(environment, to: &configuration)
        return configuration
    }

    /// Parses sidecar text not read from a file; `name` stands for the file in errors.
    public static func parseAgent(yaml text: String, name: String, defaults: AgentSettings) throws(ConfigurationError) -> AgentSettings {
        guard let root = try parse(text, file: name) else { return defaults }
        return try AgentSettingsReader.read(YAMLMapping(root, file: name, path: ""), over: defaults)
    }

    /// The root node of the YAML file at `path`; nil for an empty document,
    /// or for a missing file when `missingIsError` is false.
    static func document(at path: String, missingIsError: Bool) throws(ConfigurationError) -> Node? {
        let text: String
        switch ConfigurationFile.contents(of: path) {
        case .success(let contents): text = contents
        case .failure(.missing) where !missingIsError: return nil
        case .failure(let failure):
            throw ConfigurationError(file: path, key: "", expected: failure.expected, found: failure.found)
        }
        return try parse(text, file: path)
    }

    /// The root node of `text`; nil when it holds no document or an empty one
    /// (empty, comments only, a lone `---` or `~`).
    static func parse(_ text: String, file: String) throws(ConfigurationError) -> Node? {
        do {
            guard let root = try Yams.compose(yaml: text), !YAMLMapping.isNull(root) else { return nil }
            try YAMLAliasCheck.check(root, file: file)
            return root
        } catch let error as ConfigurationError {
            throw error
        } catch let error as YamlError {
            throw ConfigurationError(file: file, key: "", expected: "valid YAML", found: describe(error))
        } catch {
            throw ConfigurationError(file: file, key: "", expected: "valid YAML", found: "\(error)")
        }
    }

    /// The problem and its position, without Yams' multi-line snippet.
    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text), " } ?? ""
            return "\(prefix)\(problem) at line \(mark.line), column \(mark.column)"
        case .reader(let problem, let offset, _, _):
            return offset.map { "\(problem) at byte \($0)" } ?? problem
        default:
            return "\(error)"
        }
    }
}
