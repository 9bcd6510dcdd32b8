import Foundation
import SluiceAdmin
@testable import SluiceCLI
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `sluice top` (the built binary) against a real host: on a pseudo-terminal
/// (tmux) reading the screen, and with stdout a file (plain lines).
@Suite("sluice top on a terminal and in plain mode")
struct TopCommandTests {
    /// The shell line a pane runs: saves the terminal settings, marks the
    /// normal screen, runs `sluice top ARGUMENTS` (its pid in `top.pid`), then
    /// prints its exit status and saves the settings again.
    private func paneCommand(_ arguments: String, in directory: TemporaryDirectory) -> String {
        let folder = directory.path
        return "stty -g > \(folder)/stty-before; echo before-top; "
            + "sh -c 'echo $$ > \(folder)/top.pid; exec \(SluiceBinary.path) top \(arguments)'; "
            + "echo top-exited=$?; stty -g > \(folder)/stty-after; exec sleep 600"
    }

    /// The rows of the screen's agent table, split into columns (LAST ERROR last).
    private func rows(_ screen: String) -> [String: [String]] {
        var rows: [String: [String]] = [:]
        for line in screen.split(separator: "\n") {
            let cells = line.split(separator: " ").map(String.init)
            guard cells.count >= 11, cells[2] == "running" || cells[2] == "paused" else { continue }
            rows[cells[0]] = cells
        }
        return rows
    }

    @Test("the screen shows what GET /agents says, refreshes in place, follows the window's size; q quits and restores the terminal")
    func screenOnATerminal() async throws {
        try SluiceBinary.require()
        try await AdminTestHost(agents: ["alpha", "beta"]).run { host in
            // Record 7 asks the recorder to dead-letter it: DLQ and LAST ERROR have something to show.
            host.harness.produce("input", count: 30) { $0 == 7 ? "dlq-me" : "v\($0)" }
            try await eventually("both agents handled 30") {
                host.runtime.agents.allSatisfy { $0.processed == 29 && $0.deadLettered == 1 }
            }
            let directory = try TemporaryDirectory(prefix: "sluice-top")
            defer { directory.remove() }
            let pane = try await TmuxPane.start(paneCommand("--admin \(host.baseURL) --interval 0.3", in: directory))
            do {
                var screen = try await pane.waitForScreen("both agents at 29 records, all committed, with a rate") { screen in
                    let rows = rows(screen)
                    return ["alpha", "beta"].allSatisfy { rows[$0]?[5] == "29" && rows[$0]?[6] == "0" && rows[$0]?[4] == "0.0" }
                }
                #expect(try await pane.variable("alternate_on") == "1")
                #expect(try await pane.variable("cursor_flag") == "0")
                #expect(!screen.contains("before-top"), "the alternate screen hides the shell's:\n\(screen)")
                #expect(screen.contains("sluice top - \(host.baseURL) - every 0.3s"), "\(screen)")
                #expect(screen.contains("memory://") && screen.contains("agents 2/2 running") && screen.contains("processed 58")
                        && screen.contains("dlq 2"),
                        "\(screen)")

                // Every column of every row is what the admin API says.
                let report = try JSONDecoder().decode(AgentsReport.self, from: try await HTTPExchange.get(host.baseURL, "/agents").body)
                #expect(report.agents.map(\.name) == ["alpha", "beta"])
                for agent in report.agents {
                    let row = try #require(rows(screen)[agent.name], "\(screen)")
                    #expect(row[1] == agent.version)
                    #expect(row[2] == agent.state)
                    #expect(row[3] == AgentsCommand.partitions(agent.partitions))
                    #expect(row[5] == String(agent.processed))
                    #expect(row[6] == agent.lag.map(String.init))
                    #expect(row[7] == String(agent.inFlight))
                    #expect(row[8] == String(agent.retried))
                    #expect(row[9] == String(agent.deadLettered))
                    // LAST ERROR is the rest of the row, cut to the window's width.
                    let shownError = row[10...].joined(separator: " ")
                    let error = TerminalText.escaped(agent.lastError ?? "-")
                    #expect(shownError == error || (shownError.hasSuffix("…") && error.hasPrefix(shownError.dropLast())),
                            "\(shownError) / \(error)")
                }

                // New records show up in place.
                host.harness.produce("input", count: 20)
                screen = try await pane.waitForScreen("both agents at 49") { screen in
                    rows(screen)["alpha"]?[5] == "49" && rows(screen)["beta"]?[5] == "49"
                }
                #expect(screen.split(separator: "\n").filter { $0.hasPrefix("AGENT ") }.count == 1, "\(screen)")
                if let path = ProcessInfo.processInfo.environment["SLUICE_TOP_SCREENSHOT"] {
                    // The README's screenshot (README.md says how to regenerate it).
                    try screen.write(toFile: path, atomically: true, encoding: .utf8)
                }

                // A smaller window: the next frame is cut to its width (SIGWINCH).
                try await pane.tmux(["resize-window", "-t", pane.session, "-x", "50", "-y", "12"])
                screen = try await pane.waitForScreen("the title cut to 50 columns") { screen in
                    screen.split(separator: "\n").first.map { $0.count == 50 && $0.hasSuffix("…") } == true
                }

                try await pane.type("q")
                screen = try await pane.waitForScreen("top's exit status") { $0.contains("top-exited=") }
                #expect(screen.contains("top-exited=0"), "\(screen)")
                #expect(screen.contains("before-top"), "the shell's screen is back:\n\(screen)")
                #expect(!screen.contains("AGENT"), "\(screen)")
                #expect(try await pane.variable("alternate_on") == "0")
                #expect(try await pane.variable("cursor_flag") == "1")
                try await pane.waitForScreen("the settings saved again") { _ in
                    FileManager.default.fileExists(atPath: directory.file("stty-after"))
                }
                try await Task.sleep(for: .milliseconds(100))
                let before = try String(contentsOfFile: directory.file("stty-before"), encoding: .utf8)
                let after = try String(contentsOfFile: directory.file("stty-after"), encoding: .utf8)
                #expect(!before.isEmpty && before == after, "terminal settings before \(before), after \(after)")
            } catch {
                await pane.kill()
                throw error
            }
            await pane.kill()
        }
    }

    @Test("an unreachable admin API is named on the screen and polled again; SIGTERM restores the terminal and exits 143")
    func unreachableThenTerminated() async throws {
        try SluiceBinary.require()
        let port = try FreePort.next()  // nothing listens there
        let directory = try TemporaryDirectory(prefix: "sluice-top")
        defer { directory.remove() }
        let pane = try await TmuxPane.start(paneCommand("--admin http://127.0.0.1:\(port) --interval 0.2", in: directory))
        do {
            try await pane.waitForScreen("the unreachable address") {
                $0.contains("! retrying every 0.2s: cannot reach the admin API at http://127.0.0.1:\(port) (from --admin)")
            }
            let pidText = try String(contentsOfFile: directory.file("top.pid"), encoding: .utf8)
            let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            // Still running, still polling: the screen keeps its line after several intervals.
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await pane.screen().contains("! retrying every 0.2s: cannot reach the admin API"))
            #expect(kill(pid, SIGTERM) == 0)
            let after = try await pane.waitForScreen("top's exit status") { $0.contains("top-exited=") }
            #expect(after.contains("top-exited=143"), "\(after)")
            #expect(after.contains("before-top") && !after.contains("cannot reach"), "\(after)")
            #expect(try await pane.variable("alternate_on") == "0")
            #expect(try await pane.variable("cursor_flag") == "1")
            try await pane.waitForScreen("the settings saved again") { _ in
                FileManager.default.fileExists(atPath: directory.file("stty-after"))
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(try String(contentsOfFile: directory.file("stty-before"), encoding: .utf8)
                    == String(contentsOfFile: directory.file("stty-after"), encoding: .utf8))
        } catch {
            await pane.kill()
            throw error
        }
        await pane.kill()
    }

    @Test("Ctrl-C is a key in raw mode: it quits with status 0 like q, and the terminal is restored")
    func controlC() async throws {
        try SluiceBinary.require()
        let port = try FreePort.next()
        let directory = try TemporaryDirectory(prefix: "sluice-top")
        defer { directory.remove() }
        let pane = try await TmuxPane.start(paneCommand("--admin http://127.0.0.1:\(port) --interval 0.2", in: directory))
        do {
            try await pane.waitForScreen("the title") { $0.contains("sluice top - http://127.0.0.1:\(port)") }
            try await pane.tmux(["send-keys", "-t", pane.session, "C-c"])
            let after = try await pane.waitForScreen("top's exit status") { $0.contains("top-exited=") }
            #expect(after.contains("top-exited=0"), "\(after)")
            #expect(try await pane.variable("alternate_on") == "0")
            #expect(try await pane.variable("cursor_flag") == "1")
        } catch {
            await pane.kill()
            throw error
        }
        await pane.kill()
    }

    @Test("stdout not a terminal: timestamped key=value lines, one per agent per poll, no escape sequences")
    func plainLines() async throws {
        try SluiceBinary.require()
        try await AdminTestHost(agents: ["alpha", "beta"]).run { host in
            host.harness.produce("input", count: 30)
            try await eventually("both agents processed 30") { host.runtime.agents.allSatisfy { $0.processed == 30 } }
            let result = try await ProcessRunner.run(
                [SluiceBinary.path, "top", "--admin", host.baseURL, "--iterations", "2", "--interval", "0.2"])
            let lines = result.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 6, "\(result.output)")
            #expect(!result.output.contains("\u{1B}"), "\(result.output.debugDescription)")
            #expect(lines.allSatisfy { $0.firstMatch(of: #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /#) != nil }, "\(lines)")
            #expect(lines.filter { $0.contains(" host uptime_s=") && $0.contains(" transport=memory:// agents=2 running=2 ")
                && $0.contains(" processed=60 ") }.count == 2, "\(lines)")
            for name in ["alpha", "beta"] {
                let mine = lines.filter { $0.contains(" agent=\(name) ") }
                #expect(mine.count == 2, "\(lines)")
                #expect(mine.allSatisfy { $0.contains(" state=running partitions=input[0-3] ") && $0.contains(" processed=30 ") })
                #expect(mine.first?.contains(" rec_per_s=- ") == true, "no rate at the first poll: \(mine)")
                #expect(mine.last?.contains(" rec_per_s=0.0 ") == true, "\(mine)")
            }
        }
    }

    @Test("a host with a token: top sends --token (or SLUICE_ADMIN_TOKEN); without it the 401 is the failure line")
    func token() async throws {
        try SluiceBinary.require()
        let secret = "top-token-\(UUID().uuidString)"
        try await AdminTestHost(admin: AdminTestHost.loopback(token: secret)).run { host in
            let with = try await ProcessRunner.run(
                [SluiceBinary.path, "top", "--admin", host.baseURL, "--token", secret, "--iterations", "1"])
            #expect(with.output.contains(" agent=recorder "), "\(with.output)")
            let fromEnvironment = try await ProcessRunner.run(
                [SluiceBinary.path, "top", "--admin", host.baseURL, "--iterations", "1"],
                environment: ["SLUICE_ADMIN_TOKEN": secret])
            #expect(fromEnvironment.output.contains(" agent=recorder "), "\(fromEnvironment.output)")
            let without = try await ProcessRunner.run(
                [SluiceBinary.path, "top", "--admin", host.baseURL, "--iterations", "1"],
                environment: ["SLUICE_ADMIN_TOKEN": ""], check: false)
            #expect(without.status == 1)
            #expect(without.output.hasPrefix("sluice: the admin API answered 401"), "\(without.output)")
            #expect(!(with.output + fromEnvironment.output + without.output).contains(secret))
        }
    }

    @Test("plain mode: an unreachable admin API exits 1 naming it, unless --keep-trying")
    func plainUnreachable() async throws {
        try SluiceBinary.require()
        let port = try FreePort.next()
        let failed = try await ProcessRunner.run(
            [SluiceBinary.path, "top", "--admin", "http://127.0.0.1:\(port)", "--iterations", "3"], check: false)
        #expect(failed.status == 1)
        #expect(failed.output.hasPrefix("sluice: cannot reach the admin API at http://127.0.0.1:\(port)"), "\(failed.output)")
        #expect(failed.output.split(separator: "\n").count == 1, "\(failed.output)")

        let kept = try await ProcessRunner.run(
            [SluiceBinary.path, "top", "--admin", "http://127.0.0.1:\(port)", "--iterations", "2", "--interval", "0.1",
             "--keep-trying"], check: false)
        #expect(kept.status == 0, "\(kept.output)")
        let lines = kept.output.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains(#" error="cannot reach the admin API at"#) }, "\(kept.output)")
    }
}
