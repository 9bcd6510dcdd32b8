import Foundation
import Testing
import TestSupport

/// A plugin that crashes the host is named on stderr: the agent, its plugin
/// file and the content-addressed image a backtrace shows.
@Suite("Fatal signal report", .timeLimit(.minutes(2)))
struct FatalSignalReportTests {
    @Test("SIGSEGV inside on_batch: stderr names the agent, the plugin file and the image; the start log maps file to image")
    func segfaultNamesTheAgent() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await harness.installRecorder(name: "recorder", version: "1.0.0")
        let data = harness.directory.file("data")
        let configuration = harness.directory.file("sluice.yaml")
        try """
            broker: memory://
            plugins_directory: \(harness.pluginsDirectory)
            data_directory: \(data)
            log_level: notice
            admin:
              port: 0
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let process = try SluiceProcess(configuration: configuration, logFile: harness.directory.file("sluice.log"))
        let port = try await process.adminPort()
        try await ProcessRunner.run([SluiceBinary.path, "send", "input", "segv-1", "--admin", "http://127.0.0.1:\(port)"],
                                    check: false)
        try await eventually(timeout: .seconds(60), "the host dies of the plugin's SIGSEGV") { !process.isRunning }

        let log = process.log
        let plugin = harness.pluginsDirectory + "/recorder.so"
        let report = try #require(log.split(separator: "\n").first { $0.hasPrefix("sluice: fatal signal 11 ") }, "\(process.logTail())")
        #expect(report.hasPrefix("sluice: fatal signal 11 while running agent recorder (plugin file \(plugin), image \(data)/images/"),
                "\(report)")
        #expect(report.hasSuffix(".so)"), "\(report)")
        let started = try #require(log.split(separator: "\n").first { $0.contains("agent running") }, "\(process.logTail())")
        #expect(started.contains("agent=recorder") && started.contains("plugin.file=\(plugin)")
                && started.contains("plugin.version=1.0.0") && started.contains("plugin.image=\(data)/images/"), "\(started)")
        #expect(!log.contains("host stopped"))
    }
}
