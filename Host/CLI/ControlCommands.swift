import ArgumentParser
import Foundation
import SluiceAdmin

/// Where the admin API of a running host is, shared by every operator command:
/// `--admin`, else `SLUICE_ADMIN_URL`, else `SLUICE_ADMIN_HOST` / `SLUICE_ADMIN_PORT`
/// over the configuration file's `admin:` section, else 127.0.0.1:6066 (``AdminAddress``).
struct AdminConnectionOptions: ParsableArguments {
    @Option(help: "The admin API of the running host (default: $SLUICE_ADMIN_URL, else admin.host/admin.port as `sluice run` reads them, else http://127.0.0.1:6066).")
    var admin: String?

    @Option(help: "Bearer token for the admin API (default: $SLUICE_ADMIN_TOKEN, else admin.token of the configuration file).")
    var token: String?

    @Option(name: [.short, .long], help: "Configuration file whose admin: section says where the host listens; with send --broker, its kafka: map applies (default: ./sluice.yaml when it exists).")
    var config: String?

    /// The configuration file: `--config`, else `./sluice.yaml` when it exists (as for `sluice run`).
    var configurationFile: String? {
        config ?? (FileManager.default.fileExists(atPath: "sluice.yaml") ? "sluice.yaml" : nil)
    }

    /// The resolved address of the admin API; an unresolvable one prints one line and exits 2.
    func address() throws -> AdminAddress {
        do {
            return try AdminAddress.resolve(admin: admin, token: token, environment: ProcessInfo.processInfo.environment,
                                            configurationFile: configurationFile)
        } catch {
            FileHandle.standardError.write(Data("sluice: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// A client of the resolved admin API.
    func client() throws -> AdminClient {
        let address = try address()
        do {
            return try AdminClient(address: address)
        } catch {
            throw ValidationError("\(error.description) (from \(address.source))")
        }
    }
}

extension AdminConnectionOptions {
    /// `GET path` from the admin API; a failure is printed as one line and exits 1.
    func get(_ path: String) async throws -> Data {
        do {
            return try await client().get(path)
        } catch let error as AdminClientError {
            throw failOperatorCommand(error)
        }
    }

    /// The API's JSON answer to `GET path` decoded as `Answer`; an answer that does not decode exits 1.
    func decode<Answer: Decodable>(_ type: Answer.Type, from body: Data, of path: String) throws -> Answer {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw failOperatorCommand(.malformedResponse("GET \(path): \(error)"))
        }
    }
}

/// Prints an admin API failure as one line on stderr and exits 1.
func failOperatorCommand(_ error: AdminClientError) -> ExitCode {
    FileHandle.standardError.write(Data("sluice: \(error)\n".utf8))
    return ExitCode(1)
}

/// `pause`, `resume`: a POST to `/agents/NAME/ACTION` that answers with the agent.
protocol AgentActionCommand: AsyncParsableCommand {
    /// The endpoint's last path segment.
    static var action: String { get }
    /// The past tense for the confirmation line.
    static var done: String { get }
    var name: String { get }
    var connection: AdminConnectionOptions { get }
    var json: Bool { get }
}

extension AgentActionCommand {
    func run() async throws {
        let client = try connection.client()
        let body: Data
        do {
            body = try await client.post("/agents/\(AdminClient.segment(name))/\(Self.action)")
        } catch {
            throw failOperatorCommand(error)
        }
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        let report = try? JSONDecoder().decode(AgentReport.self, from: body)
        print("\(Self.done) \(name)" + (report.map { ": now \($0.state)" } ?? ""))
    }
}

/// `sluice pause NAME`: stops an agent fetching; in-flight work finishes.
struct PauseCommand: AgentActionCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause an agent of the running host (in-flight work finishes).")
    static let action = "pause"
    static let done = "paused"

    @Argument(help: "The agent's name.")
    var name: String
    @OptionGroup var connection: AdminConnectionOptions
    @Flag(help: "Print the admin API's JSON answer.")
    var json = false
}

/// `sluice resume NAME`: resumes a paused agent (including partitions its pause policy held).
struct ResumeCommand: AgentActionCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused agent of the running host.")
    static let action = "resume"
    static let done = "resumed"

    @Argument(help: "The agent's name.")
    var name: String
    @OptionGroup var connection: AdminConnectionOptions
    @Flag(help: "Print the admin API's JSON answer.")
    var json = false
}

/// `sluice reload NAME`: reloads an agent from its plugin file and sidecar now.
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Reload an agent of the running host from its plugin file and sidecar now.",
        discussion: "A refused new version leaves the running one in place; the reason is printed and the exit status is 1.")

    @Argument(help: "The agent's name.")
    var name: String
    @OptionGroup var connection: AdminConnectionOptions
    @Flag(help: "Print the admin API's JSON answer.")
    var json = false

    func run() async throws {
        let client = try connection.client()
        let body: Data
        do {
            body = try await client.post("/agents/\(AdminClient.segment(name))/reload")
        } catch {
            throw failOperatorCommand(error)
        }
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        guard let answer = try? JSONDecoder().decode(ReloadResponse.self, from: body) else {
            print("reloaded \(name)")
            return
        }
        var line = "\(name): \(answer.reload.outcome)"
        if let version = answer.agent?.version { line += ", version \(version)" }
        if let pause = answer.reload.pauseMilliseconds { line += String(format: ", paused %.1f ms", pause) }
        print(line)
    }
}
