import Foundation
import Logging
import ServiceLifecycle
import SluiceAdmin
import SluiceHost
import TestSupport

/// A runtime on memory:// with the recorder plugin, and an admin server on a
/// free port in this process.
final class AdminTestHost: @unchecked Sendable {
    // @unchecked: set up once, then only read.
    let harness: HostHarness
    let runtime: SluiceRuntime
    let server: AdminServer
    /// `http://127.0.0.1:PORT` (or the bound host's address).
    let baseURL: String
    private let group: ServiceGroup
    private let serverTask: Task<Void, any Error>

    /// Installs recorder agents named `agents` (consuming `input`, writing
    /// `<name>.out`), starts the runtime and the admin server.
    init(agents: [String] = ["recorder"], admin: AdminSettings = AdminTestHost.loopback(),
         maxBodyBytes: Int = AdminServer.defaultMaxBodyBytes, partitions: Int = 4, logger: Logger? = nil,
         configure: (inout HostHarness) async throws -> Void = { _ in }) async throws {
        // Before the runtime: metric handles created earlier would report nowhere.
        _ = AdminMetrics.bootstrap()
        var harness = try HostHarness(partitions: partitions)
        for name in agents {
            try await harness.installRecorder(name: name, sidecar: "config:\n  output: \(name).out\n")
        }
        try await configure(&harness)
        self.harness = harness
        runtime = try harness.makeRuntime()
        try await runtime.start()
        let logger = logger ?? {
            var logger = Logger(label: "sluice.admin.test")
            logger.logLevel = .warning
            return logger
        }()
        server = try AdminServer(runtime: runtime, configuration: admin, maxBodyBytes: maxBodyBytes, logger: logger)
        // A service group, as in `sluice run`, so stopping is a graceful shutdown rather than a cancellation.
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        self.group = group
        serverTask = Task { try await group.run() }
        let port = try await server.boundPort()
        let host = admin.host == "0.0.0.0" ? "127.0.0.1" : admin.host
        baseURL = "http://\(host):\(port)"
    }

    /// Admin settings on 127.0.0.1, any free port.
    static func loopback(token: String? = nil) -> AdminSettings {
        var settings = AdminSettings()
        settings.port = 0
        settings.token = token
        return settings
    }

    /// Runs `body` against this host, then stops it (also when `body` throws).
    func run(_ body: (AdminTestHost) async throws -> Void) async throws {
        do {
            try await body(self)
        } catch {
            await stop()
            throw error
        }
        await stop()
    }

    /// Stops the server and the runtime and removes the temporary directory.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await serverTask.result
        await runtime.stop()
        harness.remove()
    }
}
