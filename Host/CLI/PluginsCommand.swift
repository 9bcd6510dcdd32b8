import ArgumentParser

/// `sluice plugins`: placeholder until the loader lands.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plugins", abstract: "Inspect plugins.")
    func run() async throws {}
}
