import Foundation
import Logging
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// `admin.token_file`: the token on shared machines, refused unless only its
/// owner (the host's user) can read it; blank tokens are refused at start.
@Suite("Admin API token file and blank tokens")
struct AdminTokenFileTests {
    private static func tokenFile(_ text: String, mode: Int, in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("admin-token-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw ExchangeError("cannot create \(path)")
        }
        guard chmod(path, mode_t(mode)) == 0 else { throw ExchangeError("chmod \(path): errno \(errno)") }
        return path
    }

    /// Creates (and drops) a server with `settings`: its init checks the token.
    private static func server(_ settings: AdminSettings, harness: HostHarness) throws {
        _ = try AdminServer(runtime: try harness.makeRuntime(), configuration: settings, logger: Logger(label: "test"))
    }

    @Test("a 0600 token file owned by the host's user protects every endpoint but /healthz; its trailing newline is not part of the token")
    func tokenFileWorks() async throws {
        let directory = try TemporaryDirectory(prefix: "sluice-token")
        defer { directory.remove() }
        var settings = AdminTestHost.loopback()
        settings.tokenFile = try Self.tokenFile("file-s3cret\n", mode: 0o600, in: directory)
        let logs = LogRecorder()
        try await AdminTestHost(admin: settings, logger: logs.logger(label: "admin")).run { host in
            let anonymous = try await HTTPExchange.get(host.baseURL, "/agents")
            #expect(anonymous.status == 401)
            let authorized = try await HTTPExchange.get(host.baseURL, "/agents", headers: ["Authorization": "Bearer file-s3cret"])
            #expect(authorized.status == 200, "\(authorized.text)")
            #expect(try await HTTPExchange.get(host.baseURL, "/healthz").status == 200)
        }
        #expect(logs.all.contains { $0.contains("admin API listening") && $0.contains("bearer token from") }, "\(logs.all)")
        #expect(logs.all.allSatisfy { !$0.contains("file-s3cret") }, "the token appears in a log line")
    }

    @Test("a token file other users can read or write is refused; the error names the file and the mode found", arguments: [
        0o644, 0o640, 0o604, 0o660, 0o666,
    ])
    func openFileRefused(mode: Int) throws {
        let harness = try HostHarness()
        defer { harness.remove() }
        var settings = AdminTestHost.loopback()
        let file = try Self.tokenFile("s3cret", mode: mode, in: harness.directory)
        settings.tokenFile = file
        let error = try #require(throws: AdminServerError.self) { try Self.server(settings, harness: harness) }
        #expect(error == .tokenFileTooOpen(file: file, mode: UInt32(mode)))
        let text = error.description
        #expect(text.contains(file) && text.contains("its mode is 0\(String(mode, radix: 8))") && text.contains("0600"), "\(text)")
        #expect(!text.contains("s3cret"))
    }

    @Test("0600 and 0400 token files are accepted", arguments: [0o600, 0o400])
    func privateFileAccepted(mode: Int) throws {
        let harness = try HostHarness()
        defer { harness.remove() }
        var settings = AdminTestHost.loopback()
        settings.tokenFile = try Self.tokenFile("s3cret", mode: mode, in: harness.directory)
        try Self.server(settings, harness: harness)
    }

    @Test("a token file owned by another user is refused (the test gives the file to nobody)",
          .enabled(if: geteuid() == 0, "needs root to give a file to another user"))
    func foreignOwnerRefused() throws {
        let harness = try HostHarness()
        defer { harness.remove() }
        var settings = AdminTestHost.loopback()
        let file = try Self.tokenFile("s3cret", mode: 0o600, in: harness.directory)
        #expect(chown(file, 65534, 65534) == 0)
        settings.tokenFile = file
        let error = try #require(throws: AdminServerError.self) { try Self.server(settings, harness: harness) }
        #expect(error == .tokenFileNotOwned(file: file, owner: 65534, user: 0))
        #expect(error.description.contains("owned by uid 65534"), "\(error)")
    }

    @Test("a missing token file is refused, naming it")
    func missingFile() throws {
        let harness = try HostHarness()
        defer { harness.remove() }
        var settings = AdminTestHost.loopback()
        settings.tokenFile = harness.directory.file("no-such-token")
        let error = try #require(throws: AdminServerError.self) { try Self.server(settings, harness: harness) }
        #expect(error.description.contains("cannot read the token file \(harness.directory.file("no-such-token"))"), "\(error)")
    }

    @Test("an empty or whitespace-only token is refused at start, from the settings or from the file", arguments: [
        "", " ", "   ", "\t\n",
    ])
    func blankTokenRefused(token: String) throws {
        let harness = try HostHarness()
        defer { harness.remove() }
        var settings = AdminTestHost.loopback(token: token)
        let inline = try #require(throws: AdminServerError.self) { try Self.server(settings, harness: harness) }
        #expect(inline == .blankToken(source: "admin.token (or SLUICE_ADMIN_TOKEN)"))
        #expect(inline.description.contains("empty or only whitespace"))

        settings.token = nil
        let file = try Self.tokenFile(token, mode: 0o600, in: harness.directory)
        settings.tokenFile = file
        let fromFile = try #require(throws: AdminServerError.self) { try Self.server(settings, harness: harness) }
        #expect(fromFile == .blankToken(source: "the token file \(file)"))
    }

    @Test("admin.token and admin.token_file together are refused")
    func bothRefused() throws {
        let harness = try HostHarness()
        defer { harness.remove() }
        var settings = AdminTestHost.loopback(token: "a")
        settings.tokenFile = try Self.tokenFile("b", mode: 0o600, in: harness.directory)
        let error = try #require(throws: AdminServerError.self) { try Self.server(settings, harness: harness) }
        #expect(error.description.contains("keep one"), "\(error)")
    }

    @Test("sluice.yaml reads admin.token_file (with ~), the timeouts and the connection cap")
    func configurationKeys() throws {
        let configuration = try ConfigurationLoader.parseHost(yaml: """
            admin:
              token_file: ~/sluice/admin-token
              request_head_timeout: 2s
              idle_timeout: 500ms
              max_connections: 16
            """, name: "sluice.yaml", environment: ["HOME": "/home/op"])
        #expect(configuration.admin.tokenFile == "/home/op/sluice/admin-token")
        #expect(configuration.admin.requestHeadTimeout == .seconds(2))
        #expect(configuration.admin.idleTimeout == .milliseconds(500))
        #expect(configuration.admin.maxConnections == 16)
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parseHost(yaml: "admin:\n  max_connections: 0\n", name: "sluice.yaml", environment: [:])
        }
    }
}
