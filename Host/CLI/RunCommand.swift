import ArgumentParser

/// `sluice run`: placeholder until the runtime lands.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the host.")
    func run() async throws {}
}
