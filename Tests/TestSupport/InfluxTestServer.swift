import Foundation

/// A private influxd for tests that must stop or freeze the server (the shared
/// one from `tools/services` must never be disturbed). Same configuration as
/// `tools/services` writes: loopback only, optional listeners off, data in a
/// temporary directory. `stop()` and `start()` keep the port and the data.
public final class InfluxTestServer: @unchecked Sendable {
    // @unchecked: `process` is only touched with `lock` held.
    /// The base URL, e.g. `http://127.0.0.1:40125`.
    public let url: String
    private let directory: TemporaryDirectory
    private let configPath: String
    private let lock = NSLock()
    private var process: Process?

    /// Starts influxd and waits (up to 30 s) until `/ping` answers.
    public init() async throws {
        directory = try TemporaryDirectory(prefix: "sluice-influx")
        let ports = try Self.freePorts(2)
        url = "http://127.0.0.1:\(ports[0])"
        configPath = directory.file("influxdb.conf")
        let dir = directory.path
        let config = """
            reporting-disabled = true
            reporting-enabled = false
            bind-address = "127.0.0.1:\(ports[1])"
            [meta]
              dir = "\(dir)/meta"
            [data]
              dir = "\(dir)/data"
              wal-dir = "\(dir)/wal"
              query-log-enabled = false
            [monitor]
              store-enabled = false
            [http]
              enabled = true
              bind-address = "127.0.0.1:\(ports[0])"
              log-enabled = false
              pprof-enabled = false
            [subscriber]
              enabled = false
            [continuous_queries]
              enabled = false
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        try await start()
    }

    deinit {
        // No waiting here (a deinit may run on a cooperative thread): a kill is enough.
        signal(SIGCONT)
        signal(SIGKILL)
        directory.remove()
    }

    /// Starts influxd (again) on the same port and data, and waits until it answers.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["influxd", "run", "-config", configPath]
        let log = FileHandle(forWritingAtPath: directory.file("influxd.log")) ?? {
            FileManager.default.createFile(atPath: directory.file("influxd.log"), contents: nil)
            return FileHandle(forWritingAtPath: directory.file("influxd.log"))
        }()
        log?.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        lock.withLock { self.process = process }
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline {
            if !process.isRunning { break }
            if (try? await ProcessRunner.run(["curl", "-sf", "-o", "/dev/null", url + "/ping"], check: false))?.status == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let tail = (try? String(contentsOfFile: directory.file("influxd.log"), encoding: .utf8))?.suffix(2000) ?? ""
        await stop()
        throw InfluxTestServerError("influxd did not answer /ping within 30 s:\n\(tail)")
    }

    /// Stops influxd (SIGTERM, then SIGKILL after 10 s) and waits for it to exit.
    public func stop() async {
        let process: Process? = lock.withLock {
            defer { self.process = nil }
            return self.process
        }
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGCONT) // a frozen process cannot handle TERM
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        await process.exited()
    }

    /// Freezes influxd (SIGSTOP): connections are accepted by the kernel but not answered.
    public func freeze() { signal(SIGSTOP) }

    /// Lets a frozen influxd go on (SIGCONT).
    public func thaw() { signal(SIGCONT) }

    private func signal(_ number: Int32) {
        lock.lock()
        let pid = process?.processIdentifier
        lock.unlock()
        if let pid { kill(pid, number) }
    }

    /// `count` distinct free loopback ports (all bound until every one is chosen).
    private static func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw InfluxTestServerError("socket() failed") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0 else { throw InfluxTestServerError("bind() failed") }
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { throw InfluxTestServerError("getsockname() failed") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}

/// The private influxd could not be started.
public struct InfluxTestServerError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
