import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A real `prometheus` server as a child process, scraping one Sluice host's
/// `/metrics` every second: its own configuration, storage and log in a
/// private directory, its own free port on 127.0.0.1.
final class PrometheusServer: @unchecked Sendable {
    // @unchecked: owned by one test, used one call at a time.
    /// `http://127.0.0.1:PORT`.
    let baseURL: String
    /// The scrape job's name (the `job` label of every series).
    static let job = "sluice"
    private let directory: TemporaryDirectory
    private let process: Process

    /// Starts Prometheus scraping `target` (`HOST:PORT`) with the bearer token
    /// in `tokenFile`, evaluating `ruleFiles` every second.
    init(scraping target: String, tokenFile: String, ruleFiles: [String]) throws {
        let binary = try MonitoringFiles.tool("prometheus")
        directory = try TemporaryDirectory(prefix: "sluice-prometheus")
        let port = try FreePort.next()
        baseURL = "http://127.0.0.1:\(port)"
        let configuration = directory.file("prometheus.yml")
        try Self.configuration(target: target, tokenFile: tokenFile, ruleFiles: ruleFiles)
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        let logFile = directory.file("prometheus.log")
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        defer { try? log.close() }
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configuration)",
            "--storage.tsdb.path=\(directory.file("data"))",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            directory.remove()
            throw error
        }
    }

    // No waiting here: a deinit may run on a cooperative thread.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The configuration file: one job, scraped and evaluated every second.
    static func configuration(target: String, tokenFile: String, ruleFiles: [String]) -> String {
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
        \(ruleFiles.map { "  - \($0)" }.joined(separator: "\n"))
        scrape_configs:
          - job_name: \(job)
            authorization:
              credentials_file: \(tokenFile)
            static_configs:
              - targets: ["\(target)"]

        """
    }

    /// Runs `body` against a server scraping `target`, then stops it (also when `body` throws).
    static func with<T>(scraping target: String, tokenFile: String, ruleFiles: [String],
                        _ body: (PrometheusServer) async throws -> T) async throws -> T {
        let server = try PrometheusServer(scraping: target, tokenFile: tokenFile, ruleFiles: ruleFiles)
        do {
            let result = try await body(server)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw ExchangeError("\(error)\nPrometheus log:\n\(server.logTail())")
        }
    }

    /// SIGTERM, then waits (off the cooperative pool) for the exit; removes the directory.
    func stop() async throws {
        defer { directory.remove() }
        guard process.isRunning else {
            throw ExchangeError("prometheus exited early with status \(process.terminationStatus)")
        }
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
    }

    /// The end of the server's log.
    func logTail(_ characters: Int = 4000) -> String {
        let text = (try? String(contentsOfFile: directory.file("prometheus.log"), encoding: .utf8)) ?? ""
        return String(text.suffix(characters))
    }

    /// One answer of the HTTP API: `status` is `success` or `error`.
    struct Answer {
        let httpStatus: Int
        let json: [String: Any]

        var succeeded: Bool { json["status"] as? String == "success" }
        /// `errorType: error` of a failed answer.
        var error: String { "\(json["errorType"] ?? "?"): \(json["error"] ?? "?") (HTTP \(httpStatus))" }
        /// `data.result` of an instant query.
        var result: [[String: Any]] { (json["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? [] }
    }

    /// `GET /api/v1/query?query=expression` (an instant query, now).
    func query(_ expression: String) async throws -> Answer {
        try await get("/api/v1/query?query=" + Self.percentEncoded(expression))
    }

    /// `GET path` of the HTTP API, its JSON answer.
    func get(_ path: String) async throws -> Answer {
        let exchange = try await HTTPExchange.get(baseURL, path)
        guard let json = try JSONSerialization.jsonObject(with: exchange.body) as? [String: Any] else {
            throw ExchangeError("GET \(path): not a JSON object (HTTP \(exchange.status)): \(exchange.text)")
        }
        return Answer(httpStatus: exchange.status, json: json)
    }

    /// Waits until the server answers its readiness endpoint.
    func ready() async throws {
        try await eventually(timeout: .seconds(60), "prometheus at \(baseURL) ready") {
            guard process.isRunning else {
                throw ExchangeError("prometheus exited with status \(process.terminationStatus):\n\(logTail())")
            }
            return (try? await HTTPExchange.get(baseURL, "/-/ready"))?.status == 200
        }
    }

    /// Every character but the unreserved ones percent-encoded (a `+` would read as a space).
    private static func percentEncoded(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}
