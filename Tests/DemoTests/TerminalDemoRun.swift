import Foundation
import TestSupport

/// `make demo` in a terminal: run under `script`, which gives it a
/// pseudo-terminal for input and output, as a person's shell does. The test
/// reads what it printed so far and presses Enter when it wants to.
final class TerminalDemoRun: @unchecked Sendable {
    // @unchecked: the process and the pipe are set up once; Process and FileHandle are thread-safe for these calls.
    private let process = Process()
    private let keyboard = Pipe()
    private let outputFile: String
    private let exited = AsyncStream<Int32>.makeStream()

    /// Starts `make demo` (SLUICE_DEMO_SKIP_BUILD=1, CI unset) in a pseudo-terminal.
    init() throws {
        try SluiceBinary.require()
        outputFile = NSTemporaryDirectory() + "sluice-terminal-demo-\(UUID().uuidString).log"
        guard FileManager.default.createFile(atPath: outputFile, contents: nil) else {
            throw HarnessError("cannot create \(outputFile)")
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        // -q: no banner; -f: flush at once; -e: its exit status is the demo's; -c: the command.
        process.arguments = ["-qfec", "make --no-print-directory demo", "/dev/null"]
        var environment = ProcessInfo.processInfo.environment
        environment["SLUICE_DEMO_SKIP_BUILD"] = "1"
        environment["CI"] = nil
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: RepositoryPaths.root)
        process.standardInput = keyboard
        process.standardOutput = output
        process.standardError = output
        let continuation = exited.continuation
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        try process.run()
        try? output.close()
    }

    /// What the demo printed so far.
    var output: String {
        String(decoding: FileManager.default.contents(atPath: outputFile) ?? Data(), as: UTF8.self)
    }

    /// Whether the demo is still running.
    var isRunning: Bool { process.isRunning }

    /// Presses Enter.
    func pressEnter() throws {
        try keyboard.fileHandleForWriting.write(contentsOf: Data("\n".utf8))
    }

    /// Waits up to `timeout` for the exit; its status. Kills the demo and throws when it does not exit in time.
    func exitStatus(timeout: Duration) async throws -> Int32 {
        let stream = exited.stream
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await stream.first { _ in true } }
            group.addTask { try? await Task.sleep(for: timeout); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let status else {
            process.interrupt()
            throw HarnessError("make demo did not exit within \(timeout) after Enter:\n\(output)")
        }
        return status
    }

    /// Removes the output file.
    func remove() {
        try? FileManager.default.removeItem(atPath: outputFile)
    }
}
