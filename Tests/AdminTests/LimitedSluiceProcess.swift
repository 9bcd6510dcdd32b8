import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `sluice run --config FILE` started by `sh` after `ulimit -n LIMIT`, so the
/// host runs with few file descriptors; its output goes to a log file.
final class LimitedSluiceProcess: @unchecked Sendable {
    // @unchecked: owned by one test, used one call at a time.
    private let process = Process()
    private let logFile: String

    init(configuration: String, logFile: String, descriptorLimit: Int) throws {
        self.logFile = logFile
        guard FileManager.default.createFile(atPath: logFile, contents: nil) else {
            throw ExchangeError("cannot create \(logFile)")
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" run --config \"$1\"",
                             SluiceBinary.path, configuration]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try? log.close()
    }

    /// The log so far.
    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// The admin port from the "admin API listening" line.
    func adminPort() async throws -> Int {
        var port: Int?
        try await eventually(timeout: .seconds(60), "sluice logs its admin port") {
            guard process.isRunning else { throw ExchangeError("sluice exited \(process.terminationStatus):\n\(log)") }
            port = log.split(separator: "\n").first { $0.contains("admin API listening") }
                .flatMap { $0.firstMatch(of: /address=[^\s]*:(\d+)/) }.flatMap { Int($0.1) }
            return port != nil
        }
        return try #require(port)
    }

    /// How many descriptors the process has open now.
    func openDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count
    }

    /// SIGTERM, then waits (without blocking a thread) for the exit.
    func terminate() async throws {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGTERM)
        try await eventually(timeout: .seconds(30), "sluice exits after SIGTERM") { !process.isRunning }
    }

    /// SIGKILL if still running (after a failure).
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }
}
