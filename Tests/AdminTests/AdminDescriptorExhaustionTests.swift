import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Idle admin clients must never starve the host of file descriptors: a
/// `sluice run` under `ulimit -n 256` keeps answering and processing records
/// while 400 connections that never finish their headers are opened.
@Suite("Admin API under descriptor exhaustion")
struct AdminDescriptorExhaustionTests {
    /// The host's descriptor limit in this test.
    static let descriptorLimit = 256

    @Test("400 idle connections against a host with 256 descriptors: the excess is closed at once, the rest at the head deadline; the host answers and its agent processes records")
    func idleConnectionsDoNotStarveTheHost() async throws {
        try SluiceBinary.require()
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder(name: "recorder", sidecar: "config:\n  output: recorder.out\n")
        let configuration = harness.directory.file("sluice.yaml")
        try """
            broker: memory://
            plugins_directory: \(harness.pluginsDirectory)
            data_directory: \(harness.directory.file("data"))
            workers: 2
            commit_interval: 100ms
            shutdown_timeout: 5s
            admin:
              host: 127.0.0.1
              port: 0
              max_connections: 64
              request_head_timeout: 2s
              idle_timeout: 5s
            """.write(toFile: configuration, atomically: true, encoding: .utf8)

        let host = try LimitedSluiceProcess(configuration: configuration, logFile: harness.directory.file("sluice.log"),
                                   descriptorLimit: Self.descriptorLimit)
        defer { host.kill() }
        let port = try await host.adminPort()
        #expect(try await RawHTTP.send("GET", port: port, "/healthz").status == 200, "\(host.log)")

        // More connections than the host has descriptors; each sends nothing.
        let idle = try await IdleConnections.open(400, port: port)
        try await eventually(timeout: .seconds(10), "the connections over max_connections are closed at once") {
            idle.closedByServer() >= 400 - 64
        }
        let open = try host.openDescriptors()
        #expect(open < Self.descriptorLimit - 64, "the host holds \(open) descriptors with 64 admin connections open")

        try await eventually(timeout: .seconds(20), "the idle connections are dropped at the head deadline") {
            idle.closedByServer() == 400
        }
        let fresh = try await RawHTTP.send("GET", port: port, "/healthz")
        #expect(fresh.status == 200, "the host no longer answers: \(host.log.suffix(2000))")

        let records = (1...50).map { #"{"key": "k\#($0)", "value": "v\#($0)"}"# }.joined(separator: "\n")
        let produced = try await RawHTTP.send("POST", port: port, "/topics/input/messages",
                                              headers: [("Content-Type", "application/x-ndjson")], body: records)
        #expect(produced.status == 200, "\(produced.text)")
        try await eventually(timeout: .seconds(30), "the recorder agent processes the 50 records") {
            let answer = try await RawHTTP.send("GET", port: port, "/agents/recorder")
            let report = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
            return report?["processed"] as? Int == 50
        }
        #expect(!host.log.contains("Too many open files"), "\(host.log.suffix(2000))")
        #expect(host.log.contains("connection limit reached"), "\(host.log.suffix(2000))")
        try await host.terminate()
    }
}
