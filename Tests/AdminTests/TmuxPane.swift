import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A command running in a real pseudo-terminal: a detached tmux session on a
/// private server (its own socket file, so parallel tests and the user's tmux
/// are never touched), whose screen is read with `capture-pane` and whose
/// keyboard is `send-keys`. ``kill()`` stops the server and removes the socket.
struct TmuxPane: Sendable {
    /// The private server's socket file (`tmux -S`).
    let socket: String
    let session = "top"

    /// Starts `command` (run by `sh -c`) in a `width`×`height` pane.
    static func start(_ command: String, width: Int = 120, height: Int = 30) async throws -> TmuxPane {
        let pane = TmuxPane(socket: NSTemporaryDirectory() + "sluice-tmux-\(UUID().uuidString.prefix(12)).sock")
        // Not waited for: the client that starts the server forks it, and the
        // server keeps the descriptor through which Foundation learns that the
        // client exited, until the server stops. Whether the session is up is
        // asked of the server instead.
        let starter = Process()
        starter.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        starter.arguments = ["-u", "TMUX", "tmux", "-S", pane.socket, "-f", "/dev/null",
                             "new-session", "-d", "-s", pane.session, "-x", "\(width)", "-y", "\(height)", command]
        starter.standardOutput = FileHandle.nullDevice
        starter.standardError = FileHandle.nullDevice
        try starter.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while try await pane.tmux(["has-session", "-t", pane.session], check: false, status: true) != "0" {
            guard ContinuousClock.now < deadline else {
                await pane.kill()
                throw HarnessError("tmux did not start a session on socket \(pane.socket) within 20 s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return pane
    }

    /// Runs `tmux -S socket ARGUMENTS` (outside any tmux the tests themselves
    /// run in) and returns its output, or with `status` its exit status.
    @discardableResult
    func tmux(_ arguments: [String], check: Bool = true, status: Bool = false) async throws -> String {
        let result = try await ProcessRunner.run(["-u", "TMUX", "tmux", "-S", socket] + arguments, check: check)
        return status ? String(result.status) : result.output
    }

    /// What the pane shows now, one string per row (trailing spaces trimmed by tmux).
    func screen() async throws -> String {
        try await tmux(["capture-pane", "-p", "-t", session])
    }

    /// A pane variable (`#{alternate_on}`, `#{cursor_flag}`...).
    func variable(_ name: String) async throws -> String {
        try await tmux(["display-message", "-p", "-t", session, "#{\(name)}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Types `keys` (literally, no key-name lookup).
    func type(_ keys: String) async throws {
        try await tmux(["send-keys", "-t", session, "-l", keys])
    }

    /// Waits (polling every 100 ms) until the screen satisfies `condition`; returns that screen.
    @discardableResult
    func waitForScreen(_ what: String, timeout: Duration = .seconds(30),
                       _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try await screen()
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("timed out after \(timeout) waiting for the screen to show \(what); it shows:\n\(last)")
    }

    /// Stops everything running in the pane (its process group: the shell and
    /// what it started, with SIGKILL, as SIGHUP may be ignored where tests run)
    /// and then the private tmux server.
    func kill() async {
        if let text = try? await tmux(["display-message", "-p", "-t", session, "#{pane_pid}"], check: false),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
            _ = Glibc.kill(-pid, SIGKILL)
            _ = Glibc.kill(pid, SIGKILL)
        }
        _ = try? await tmux(["kill-server"], check: false)
        try? FileManager.default.removeItem(atPath: socket)
    }
}
