import ArgumentParser

/// The `sluice` command: runs the host and inspects plugins.
@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A stream-processing host whose agents are plugins.",
        subcommands: [
            RunCommand.self, PluginsCommand.self, AgentsCommand.self, TopCommand.self, SendCommand.self, ReadCommand.self,
            PauseCommand.self, ResumeCommand.self, ReloadCommand.self, StateCommand.self, NewPluginCommand.self, TryCommand.self,
        ]
    )
}
