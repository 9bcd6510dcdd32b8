import Foundation

/// Runs a command to completion and captures its output.
public enum ProcessRunner {
    /// What a finished command left behind.
    public struct Result: Sendable {
        public let status: Int32
        public let output: String
    }

    /// An error for a command that exited non-zero, with its output.
    public struct Failure: Error, CustomStringConvertible {
        public let command: [String]
        public let result: Result
        public var description: String {
            "`\(command.joined(separator: " "))` exited \(result.status):\n\(result.output)"
        }
    }

    /// Runs `arguments` (looked up on PATH), stdout and stderr merged.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil,
                           currentDirectory: String? = nil, check: Bool = true) throws -> Result {
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
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        if check && result.status != 0 { throw Failure(command: arguments, result: result) }
        return result
    }
}
