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
        #expect(swift.output.contains("abi:           1.2"))
    }

    @Test("run stops gracefully on SIGTERM and exits 0")
    func gracefulSignal() async throws {
        try requireBinary()
        let harness = try HostHarness()
        defer { harness.remove() }
        try await harness.installRecorder()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "--plugins", harness.pluginsDirectory, "--broker", "memory://"]
        process.environment = ["SLUICE_DATA_DIRECTORY": harness.directory.file("data"), "PATH": "/usr/bin:/bin",
                               "SLUICE_ADMIN_PORT": "0"]  // any free port: tests run side by side
        let output = Pipe()
        process.standardError = output
        process.standardOutput = output
        try process.run()
        let log = LogCollector(output.fileHandleForReading)
        try await eventually(timeout: .seconds(20), "host started") { log.text.contains("host started") }
        process.terminate()  // SIGTERM
        await process.exited()
        #expect(process.terminationStatus == 0)
        // The reader thread may still be draining the pipe after the exit.
        try await eventually(timeout: .seconds(5), "the last log lines") { log.text.contains("host stopped") }
        #expect(log.text.contains("agent stopped"))
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
