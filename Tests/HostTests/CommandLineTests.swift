import Foundation
import Testing
import TestSupport

/// The `sluice` binary as an operator uses it (built by `swift build`, which `tools/test` runs first).
@Suite("sluice command line")
struct CommandLineTests {
    static let binary = SluiceBinary.path

    private func requireBinary() throws { try SluiceBinary.require() }

    @Test("plugins inspect describes both example plugins")
    func inspectExamples() async throws {
        try requireBinary()
        let harness = try HostHarness()
        defer { harness.remove() }
        try await harness.installUppercaseExample()
        try harness.installSwiftExample()
        let c = try await ProcessRunner.run([Self.binary, "plugins", "inspect", harness.pluginsDirectory + "/uppercase.so"])
        #expect(c.output.contains("name:          uppercase"))
        #expect(c.output.contains("topics:        words"))
        let swift = try await ProcessRunner.run([Self.binary, "plugins", "inspect", harness.pluginsDirectory + "/enricher.so"])
        #expect(swift.output.contains("name:          enricher"))
        #expect(swift.output.contains("topics:        orders"))
        #expect(swift.output.contains("abi:           1.3"))
    }

    @Test("run stops gracefully on SIGTERM and exits 0")
    func gracefulSignal() async throws {
        try requireBinary()
        let harness = try HostHarness()
        defer { harness.remove() }
        try await harness.installRecorder()
        let (process, log) = try startRun(harness)
        try await eventually(timeout: .seconds(20), "host started") { log.text.contains("host started") }
        process.terminate()  // SIGTERM
        await process.exited()
        #expect(process.terminationStatus == 0)
        // The reader thread may still be draining the pipe after the exit.
        try await eventually(timeout: .seconds(5), "the last log lines") { log.text.contains("host stopped") }
        #expect(log.text.contains("agent stopped"))
    }

    @Test("run stops gracefully, exit 0, on a SIGTERM that comes while it is still starting")
    func gracefulSignalDuringStartUp() async throws {
        try requireBinary()
        let harness = try HostHarness()
        defer { harness.remove() }
        try await harness.installRecorder()
        for attempt in 1...3 {
            let (process, log) = try startRun(harness)
            // As soon as the process handles SIGTERM at all (its first line does),
            // long before the agents and the admin API are up.
            try await eventually(timeout: .seconds(20), interval: .milliseconds(1), "attempt \(attempt): SIGTERM caught") {
                guard process.isRunning else { throw HarnessError("sluice exited early:\n\(log.text)") }
                return Self.catchesSignal(SIGTERM, pid: process.processIdentifier)
            }
            process.terminate()  // SIGTERM
            await process.exited()
            #expect(process.terminationStatus == 0, "attempt \(attempt):\n\(log.text)")
            #expect(process.terminationReason == .exit, "attempt \(attempt): ended by a signal")
            try await eventually(timeout: .seconds(5), "attempt \(attempt): the last log lines") { log.text.contains("host stopped") }
            #expect(log.text.contains("stop requested while starting") || log.text.contains("stopping gracefully"),
                    "attempt \(attempt):\n\(log.text)")
        }
    }

    /// Starts `sluice run` over memory:// with `harness`'s plugins and any free
    /// admin port (tests run side by side); its output is collected.
    private func startRun(_ harness: HostHarness) throws -> (Process, LogCollector) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "--plugins", harness.pluginsDirectory, "--broker", "memory://"]
        process.environment = ["SLUICE_DATA_DIRECTORY": harness.directory.file("data"), "PATH": "/usr/bin:/bin",
                               "SLUICE_ADMIN_PORT": "0"]
        let output = Pipe()
        process.standardError = output
        process.standardOutput = output
        try process.run()
        return (process, LogCollector(output.fileHandleForReading))
    }

    /// Whether `pid` has a handler for `signal` (the SigCgt mask of /proc/PID/status).
    static func catchesSignal(_ signal: Int32, pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
              let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return mask & (1 << UInt64(signal - 1)) != 0
    }

    @Test("run refuses a broken configuration file with its name and key, exit status 2")
    func brokenConfiguration() async throws {
        try requireBinary()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("sluice.yaml")
        try "broker: redis://localhost:6379\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.run([Self.binary, "run", "--config", file], check: false)
        #expect(result.status == 2)
        #expect(result.output.contains(file))
        #expect(result.output.contains("broker"))
    }
}

/// Collects a pipe's output on a background thread.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = ""

    init(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.withLock { collected += String(decoding: data, as: UTF8.self) }
            }
        }.start()
    }

    var text: String { lock.withLock { collected } }
}
