import Foundation
import SluiceHost

/// Runs a command to completion and captures its output.
///
/// The waiting (reading the output to its end, waiting for the exit) happens
/// on a thread of its own: tests run on Swift's few cooperative threads, which
/// the hosts under test also need.
public enum ProcessRunner {
    /// What a finished command left behind.
    public struct Result: Sendable {
        public let status: Int32
        public let output: String
        /// The command was still running at the timeout and was killed (SIGKILL).
        public var timedOut = false
    }

    /// An error for a command that exited non-zero, with its output.
    public struct Failure: Error, CustomStringConvertible {
        public let command: [String]
        public let result: Result
        public var description: String {
            "`\(command.joined(separator: " "))` exited \(result.status):\n\(result.output)"
        }
    }

    /// Runs `arguments` (looked up on PATH), stdout and stderr merged, with
    /// `stdin` as its standard input when given. With a `timeout`, a command
    /// still running then is killed and its result says so.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil,
                           currentDirectory: String? = nil, stdin: String? = nil, check: Bool = true,
                           timeout: Duration? = nil) async throws -> Result {
        try await DedicatedThread.run("test-process-runner") { () throws -> Result in
            try runBlocking(arguments, environment: environment, currentDirectory: currentDirectory,
                            stdin: stdin, check: check, timeout: timeout)
        }
    }

    /// ``run(_:environment:currentDirectory:check:timeout:)`` on the calling
    /// thread, which blocks until the command exits: only for threads of one's own.
    @available(*, noasync, message: "blocks until the command exits; use `try await run(...)`")
    @discardableResult
    public static func runBlocking(_ arguments: [String], environment: [String: String]? = nil,
                                   currentDirectory: String? = nil, stdin: String? = nil, check: Bool = true,
                                   timeout: Duration? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        // The output goes to a file, not a pipe: a pipe's write end is
        // inherited by every child another test spawns meanwhile (Foundation
        // does not close it in the child), so reading to its end would wait
        // for those, too — a `sluice run` started beside this command kept it
        // for 30 s. A file is read once the command has exited.
        let outputPath = NSTemporaryDirectory() + "sluice-process-output-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil) else {
            throw Failure(command: arguments, result: Result(status: -1, output: "cannot create \(outputPath)"))
        }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        if let stdin {
            // A file too: a pipe's write end would leak into other tests' children.
            let inputPath = outputPath + ".stdin"
            try stdin.write(toFile: inputPath, atomically: false, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: inputPath) }
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            try? output.close()
            throw error
        }
        try? output.close()
        let killer = timeout.map { Watchdog(process: process, after: $0) }
        process.waitUntilExit()
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        let result = Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
                            timedOut: killer?.cancel() == true)
        if check && result.status != 0 { throw Failure(command: arguments, result: result) }
        return result
    }
}

/// Kills a process (SIGKILL) that is still running after a deadline.
private final class Watchdog: @unchecked Sendable {
    // @unchecked: `fired` and `cancelled` are guarded by `lock`.
    private let lock = NSLock()
    private var fired = false
    private var cancelled = false

    init(process: Process, after timeout: Duration) {
        let pid = process.processIdentifier
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            lock.withLock {
                guard !cancelled else { return }
                fired = true
                kill(pid, SIGKILL)
            }
        }
    }

    /// Stops the watchdog; returns whether it had killed the process.
    func cancel() -> Bool {
        lock.withLock {
            cancelled = true
            return fired
        }
    }
}
