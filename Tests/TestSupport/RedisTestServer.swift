import Foundation

/// A private redis-server for tests that must freeze, kill or restart Redis
/// (so the shared one of `tools/services` is never disturbed), on a free
/// port of 127.0.0.1, with its data in a temporary directory.
public final class RedisTestServer: @unchecked Sendable {
    // @unchecked: `process` is only touched by the test that owns the server,
    // one call at a time.
    /// The TCP port it listens on (kept across restarts).
    public let port: Int
    /// Its working directory (AOF files, log).
    public let directory: TemporaryDirectory
    private let arguments: [String]
    private let password: String?
    private var process: Process?

    /// Starts a server. `appendOnly` turns on the AOF with `appendfsync always`
    /// (so a killed server keeps every acknowledged write); `password` sets `requirepass`.
    public init(appendOnly: Bool = false, password: String? = nil) async throws {
        directory = try TemporaryDirectory(prefix: "sluice-redis")
        port = try FreePort.next()
        self.password = password
        var arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory.path,
                         "--save", "", "--appendonly", appendOnly ? "yes" : "no",
                         "--logfile", directory.file("redis.log"), "--daemonize", "no"]
        // fsync before each reply: with the default `everysec`, Redis may
        // acknowledge writes it has not yet written, and a SIGKILL loses them.
        if appendOnly { arguments += ["--appendfsync", "always"] }
        if let password { arguments += ["--requirepass", password] }
        self.arguments = arguments
        try await start()
    }

    deinit { stop() }

    /// Starts the server (again, after ``kill()``) and waits until it answers PING.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["redis-server"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try await ping() { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let log = (try? String(contentsOfFile: directory.file("redis.log"), encoding: .utf8)) ?? ""
        // Thrown from init, this object is never deinitialised: kill the server here, or it outlives the tests.
        signal(SIGKILL)
        throw HarnessError("redis-server on port \(port) did not answer PING within 10 s:\n\(log.suffix(2000))")
    }

    /// Whether the server answers PING now (with `redis-cli`).
    public func ping() async throws -> Bool {
        try await command(["PING"]).contains("PONG")
    }

    /// Runs one command with `redis-cli` (e.g. `["SCARD", "seen"]`) and returns its raw answer.
    public func command(_ arguments: [String]) async throws -> String {
        var command = ["redis-cli", "-h", "127.0.0.1", "-p", "\(port)"]
        if let password { command += ["--no-auth-warning", "-a", password] }
        return try await ProcessRunner.run(command + arguments, check: false).output
    }

    /// The integer answer of `arguments` (`SCARD`, `GET` of a counter, …); nil when not an integer.
    public func integer(_ arguments: [String]) async throws -> Int? {
        Int(try await command(arguments).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing answers.
    public func pause() { signal(SIGSTOP) }

    /// Thaws a paused server (SIGCONT).
    public func resume() { signal(SIGCONT) }

    /// Kills the server (SIGKILL) and waits for it to exit (on a thread of
    /// its own); ``start()`` brings it back.
    public func kill() async {
        guard let process, process.isRunning else { return }
        signal(SIGKILL)
        await process.exited()
    }

    /// Kills the server and removes its directory, without waiting for the
    /// exit (it may run in a `defer` or `deinit` on a cooperative thread).
    public func stop() {
        if process?.isRunning == true {
            signal(SIGCONT) // a paused server must wake up to die
            signal(SIGKILL)
        }
        process = nil
        directory.remove()
    }

    private func signal(_ number: Int32) {
        guard let process, process.isRunning else { return }
        _ = Foundation.kill(process.processIdentifier, number)
    }
}
