import Foundation
import SluiceHost
#if canImport(Glibc)
import Glibc
#endif

/// A private Tansu broker (in-memory storage) on a free port of 127.0.0.1, for
/// tests that freeze or kill the broker, so the shared one of `tools/services`
/// (and every other test on it) is never disturbed. Started the way
/// `tools/services` starts its broker.
public final class KafkaTestBroker: @unchecked Sendable {
    // @unchecked: owned by one test, used one call at a time.
    /// `127.0.0.1:PORT`.
    public let bootstrap: String
    /// Its working directory (the log).
    public let directory: TemporaryDirectory
    private let process: Process

    /// Starts the broker and waits until it answers metadata requests.
    public init() async throws {
        directory = try TemporaryDirectory(prefix: "sluice-tansu")
        let port = try FreePort.next()
        bootstrap = "127.0.0.1:\(port)"
        let tansu = ProcessInfo.processInfo.environment["SLUICE_TANSU"] ?? "/usr/local/bin/tansu"
        process = Process()
        process.executableURL = URL(fileURLWithPath: tansu)
        process.arguments = ["broker",
                             "--listener-url", "tcp://\(bootstrap)",
                             "--advertised-listener-url", "tcp://\(bootstrap)",
                             "--storage-engine", "memory://tansu/",
                             "--cluster-id", "sluice-test-\(port)"]
        FileManager.default.createFile(atPath: directory.file("tansu.log"), contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.file("tansu.log")))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let world = KafkaTestWorld(bootstrap: bootstrap)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { break }
            // Metadata answered: the broker is up at the advertised address.
            if (try? await world.partitionCount("sluice-readiness-probe")) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        let text = (try? String(contentsOfFile: directory.file("tansu.log"), encoding: .utf8)) ?? ""
        stop()
        throw HarnessError("tansu at \(bootstrap) did not answer metadata within 30 s:\n\(text.suffix(2000))")
    }

    deinit { stop() }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Freezes the broker (SIGSTOP): connections stay open, nothing answers.
    public func pause() { signal(SIGSTOP) }

    /// Thaws a paused broker (SIGCONT).
    public func resume() { signal(SIGCONT) }

    /// Kills the broker (a paused one is woken first) and removes its
    /// directory, without waiting for the exit (it may run in a `defer` or
    /// `deinit` on a cooperative thread; the port is never reused by name).
    public func stop() {
        if process.isRunning {
            signal(SIGCONT)
            signal(SIGKILL)
        }
        directory.remove()
    }

    private func signal(_ number: Int32) {
        guard process.isRunning else { return }
        _ = kill(process.processIdentifier, number)
    }
}
