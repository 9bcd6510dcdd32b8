import ArgumentParser
import Foundation
import SluiceAdmin
#if canImport(Glibc)
import Glibc
#endif

/// `sluice top`: the running host's agents, refreshed in place like `top`
/// (`q` or Ctrl-C quits), from the same `GET /agents` as `sluice agents`.
/// When stdout is not a terminal it prints plain timestamped lines instead
/// (``TopPlainLines``), one per agent per poll, for logs and scripts.
///
/// When the admin API cannot be reached, the screen says so on its own line
/// (naming the address) and keeps polling, as `top` would; the plain lines
/// stop with exit status 1 after the first failure, unless `--keep-trying`.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "A live view of the running host's agents: rates, lag, in-flight, retries, dead letters, errors.",
        discussion: """
            On a terminal the view refreshes in place; q or Ctrl-C quits. When stdout is not a \
            terminal (a pipe, a file), each poll prints one line for the host and one per agent, \
            with a timestamp (key=value pairs).
            """)

    @OptionGroup var connection: AdminConnectionOptions

    @Option(help: "Seconds between polls of the admin API (at least 0.1).")
    var interval: Double = 1

    @Option(help: "Stop after this many polls (default: until q, Ctrl-C or SIGTERM).")
    var iterations: Int?

    @Flag(help: "Print plain lines even when stdout is a terminal.")
    var plain = false

    @Flag(help: "Plain lines: keep polling when the admin API cannot be reached (default: exit 1 at the first failure).")
    var keepTrying = false

    func validate() throws {
        guard interval.isFinite, interval >= 0.1 else { throw ValidationError("--interval must be at least 0.1 seconds") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1") }
    }

    func run() async throws {
        let address = try connection.address()
        let client: AdminClient
        do {
            // A poll that takes longer than a few intervals is reported rather than waited for.
            client = try AdminClient(address: address, timeout: max(2, interval * 3))
        } catch {
            throw ValidationError("\(error.description) (from \(address.source))")
        }
        let poller = TopPoller(client: client)
        if !plain && isatty(STDOUT_FILENO) == 1 {
            let screen = TopScreen(address: address.url, intervalSeconds: interval)
            let status = await TopInteractiveLoop(poller: poller, screen: screen, interval: interval,
                                                  iterations: iterations).run()
            if status != 0 { throw ExitCode(status) }
        } else {
            try await runPlain(poller)
        }
    }

    /// Polls and prints plain lines until `--iterations` polls are done (or forever).
    private func runPlain(_ poller: TopPoller) async throws {
        // Each poll's lines are written at once (no stdio buffer to flush), so a log follows live.
        let output = OutputWriter()
        var previous: TopPoller.Sample?
        var polls = 0
        while true {
            let started = ContinuousClock.now
            switch await poller.poll() {
            case .success(let sample):
                let lines = TopPlainLines.lines(TopFigures(sample, previous: previous), at: sample.time)
                await output.write(lines.joined(separator: "\n") + "\n")
                previous = sample
            case .failure(let failure):
                guard keepTrying else {
                    FileHandle.standardError.write(Data("sluice: \(failure)\n".utf8))
                    throw ExitCode(1)
                }
                FileHandle.standardError.write(Data((TopPlainLines.failure(failure.description, at: Date()) + "\n").utf8))
            }
            polls += 1
            if let iterations, polls >= iterations { return }
            try await Task.sleep(until: started + .milliseconds(Int64(interval * 1000)), clock: .continuous)
        }
    }
}
