import Foundation

/// Runs a command to completion and captures its output.
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

    /// Runs `arguments` (looked up on PATH), stdout and stderr merged. With a
    /// `timeout`, a command still running then is killed and its result says so.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil,
                           currentDirectory: String? = nil, check: Bool = true,
                           timeout: Duration? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let killer = timeout.map { Watchdog(process: process, after: $0) }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
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
