import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `sluice run --config FILE` child process, for tests that kill, stop or
/// signal the host: its output goes to a log file, its admin port is read from
/// that log (tests configure `admin.port: 0`), its CPU time from `/proc`.
public final class SluiceProcess: @unchecked Sendable {
    // @unchecked: owned by one test, used one call at a time.
    /// Where stdout and stderr go (appended to: several runs may share one file).
    public let logFile: String
    /// Where this run's output starts in `logFile`.
    private let logStart: UInt64
    private let process: Process

    /// Starts `sluice run --config configuration`, logging to `logFile`.
    public init(configuration: String, logFile: String, environment: [String: String] = [:]) throws {
        try SluiceBinary.require()
        self.logFile = logFile
        if !FileManager.default.fileExists(atPath: logFile) {
            FileManager.default.createFile(atPath: logFile, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        logStart = log.seekToEndOfFile()
        process = Process()
        process.executableURL = URL(fileURLWithPath: SluiceBinary.path)
        process.arguments = ["run", "--config", configuration]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    // No waiting here: a deinit may run on a cooperative thread. The kill is
    // enough; Foundation reaps the child.
    deinit { signal(SIGKILL) }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Whether the process is still running.
    public var isRunning: Bool { process.isRunning }

    /// Sends `number` (SIGSTOP, SIGTERM, …) without waiting.
    public func signal(_ number: Int32) {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, number)
    }

    /// `kill -9`: no goodbye, no commit. Returns once the process is gone
    /// (the waiting happens on a thread of its own).
    public func kill() async {
        guard process.isRunning else { return }
        signal(SIGKILL)
        await process.exited()
    }

    /// SIGTERM (graceful stop) and waits up to `timeout` for the exit; returns
    /// the exit status. Throws, after a SIGKILL, when it did not exit in time.
    @discardableResult
    public func terminate(timeout: Duration = .seconds(60)) async throws -> Int32 {
        signal(SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else {
            await kill()
            throw HarnessError("sluice (pid \(pid)) did not exit within \(timeout) of SIGTERM; killed it. Log \(logFile):\n\(logTail())")
        }
        return process.terminationStatus
    }

    /// SIGTERM once the host serves, then `terminate`. `sluice run` handles
    /// SIGTERM from its first line, but a SIGTERM sent while the binary is
    /// still loading ends it by the signal; and a test that stops a host
    /// under load means one that has started its agents. The admin API's
    /// "listening" line comes after both. For hosts with the admin API on.
    public func terminateWhenServing(timeout: Duration = .seconds(60)) async throws -> Int32 {
        _ = try await adminPort()
        return try await terminate(timeout: timeout)
    }

    /// This run's log so far.
    public var log: String {
        guard let file = FileHandle(forReadingAtPath: logFile) else { return "" }
        defer { try? file.close() }
        try? file.seek(toOffset: logStart)
        return String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
    }

    /// The last `characters` of the log, for failure messages.
    public func logTail(_ characters: Int = 3000) -> String { String(log.suffix(characters)) }

    /// The admin API's port, from the "admin API listening" log line (logged
    /// at notice level) of this run; waits until it appears.
    public func adminPort(timeout: Duration = .seconds(60)) async throws -> Int {
        var port: Int?
        try await eventually(timeout: timeout, "sluice (pid \(pid)) logs its admin port in \(logFile)") {
            guard process.isRunning else {
                throw HarnessError("sluice (pid \(pid)) exited with status \(process.terminationStatus):\n\(logTail())")
            }
            port = Self.lastAdminPort(in: log)
            return port != nil
        }
        return port!
    }

    /// `GET path` of the admin API on `adminPort`: the HTTP status (0 when
    /// nothing answered within 5 s) and the body.
    public func adminGet(_ path: String, adminPort: Int) async throws -> (status: Int, body: String) {
        let marker = "\n--sluice-http-status:"
        let result = try await ProcessRunner.run(
            ["curl", "-s", "--max-time", "5", "-w", marker + "%{http_code}", "http://127.0.0.1:\(adminPort)\(path)"],
            check: false)
        guard let range = result.output.range(of: marker, options: .backwards) else { return (0, result.output) }
        return (Int(result.output[range.upperBound...]) ?? 0, String(result.output[..<range.lowerBound]))
    }

    /// `GET /readyz`: whether the host answered 200 (ready).
    public func isReady(adminPort: Int) async throws -> Bool {
        try await adminGet("/readyz", adminPort: adminPort).status == 200
    }

    /// A number field (`processed`, `retried`, `in_flight`, …) of agent `agent` from `GET /agents/{name}`.
    public func agentCounter(_ field: String, agent: String, adminPort: Int) async throws -> Int {
        let answer = try await adminGet("/agents/\(agent)", adminPort: adminPort)
        guard answer.status == 200,
              let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
              let value = object[field] as? Int else {
            throw HarnessError("GET /agents/\(agent): no number \(field) in \(answer.status) \(answer.body)")
        }
        return value
    }

    /// CPU time (user + system) the process has used so far, from `/proc/<pid>/stat`.
    public func cpuTime() throws -> Duration {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which may hold spaces) in parentheses:
        // state is field 3, utime field 14, stime field 15.
        guard let close = stat.lastIndex(of: ")") else { throw HarnessError("unreadable /proc/\(pid)/stat: \(stat)") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int64(fields[11]), let system = Int64(fields[12]) else {
            throw HarnessError("unreadable /proc/\(pid)/stat: \(stat)")
        }
        let ticksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return .milliseconds((user + system) * 1000 / ticksPerSecond)
    }

    /// The port of the last "admin API listening" line in `log`.
    static func lastAdminPort(in log: String) -> Int? {
        guard let line = log.split(separator: "\n").last(where: { $0.contains("admin API listening") }),
              let match = line.firstMatch(of: /address=[^\s]*:(\d+)/) else { return nil }
        return Int(match.1)
    }
}

