import Foundation
import SluiceAdmin
import Testing
import TestSupport

/// The operator commands find the host's admin API the way the host was told
/// where to listen: `--admin`, else `SLUICE_ADMIN_URL`, else
/// `SLUICE_ADMIN_HOST` / `SLUICE_ADMIN_PORT` over the configuration file's
/// `admin:` section, else 127.0.0.1:6066; the token likewise.
@Suite("Admin API addressing of the operator commands")
struct AdminAddressingTests {
    private static let token = "addressing-test-token"
    /// Neutralises whatever the test process's own environment says.
    private static let clean = ["SLUICE_ADMIN_URL": "", "SLUICE_ADMIN_TOKEN": "", "SLUICE_ADMIN_HOST": "127.0.0.1",
                                "SLUICE_ADMIN_PORT": "6066"]

    private func configurationFile(port: Int, token: String?, host: String = "127.0.0.1") throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory(prefix: "sluice-addressing")
        var yaml = "admin:\n  host: \(host)\n  port: \(port)\n"
        if let token { yaml += "  token: \(token)\n" }
        let file = directory.file("sluice.yaml")
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        return (directory, file)
    }

    // MARK: Resolution order

    @Test("--admin wins over the environment and the file; the token comes from the environment")
    func flagFirst() throws {
        let (directory, file) = try configurationFile(port: 7001, token: "from-file")
        defer { directory.remove() }
        let address = try AdminAddress.resolve(
            admin: "http://10.0.0.1:9000", token: nil,
            environment: ["SLUICE_ADMIN_URL": "http://10.0.0.2:9001", "SLUICE_ADMIN_PORT": "9002", "SLUICE_ADMIN_TOKEN": "from-env"],
            configurationFile: file)
        #expect(address == AdminAddress(url: "http://10.0.0.1:9000", token: "from-env", source: "--admin"))
    }

    @Test("SLUICE_ADMIN_URL wins over SLUICE_ADMIN_PORT and the file")
    func urlVariable() throws {
        let (directory, file) = try configurationFile(port: 7001, token: "from-file")
        defer { directory.remove() }
        let address = try AdminAddress.resolve(
            admin: nil, token: nil, environment: ["SLUICE_ADMIN_URL": "http://10.0.0.2:9001", "SLUICE_ADMIN_PORT": "9002"],
            configurationFile: file)
        #expect(address == AdminAddress(url: "http://10.0.0.2:9001", token: "from-file", source: "SLUICE_ADMIN_URL"))
    }

    @Test("SLUICE_ADMIN_PORT over the file's port, the file's host kept; 0.0.0.0 is reached over loopback")
    func portVariableOverFile() throws {
        let (directory, file) = try configurationFile(port: 7001, token: "from-file", host: "0.0.0.0")
        defer { directory.remove() }
        let address = try AdminAddress.resolve(admin: nil, token: "from-flag", environment: ["SLUICE_ADMIN_PORT": "7002"],
                                               configurationFile: file)
        #expect(address.url == "http://127.0.0.1:7002")
        #expect(address.token == "from-flag")
        #expect(address.source == "SLUICE_ADMIN_PORT, admin: of \(file)")
    }

    @Test("the file's admin: section, then the default")
    func fileThenDefault() throws {
        let (directory, file) = try configurationFile(port: 7003, token: "from-file")
        defer { directory.remove() }
        let fromFile = try AdminAddress.resolve(admin: nil, token: nil, environment: [:], configurationFile: file)
        #expect(fromFile == AdminAddress(url: "http://127.0.0.1:7003", token: "from-file", source: "admin: of \(file)"))
        let fallback = try AdminAddress.resolve(admin: nil, token: nil, environment: [:], configurationFile: nil)
        #expect(fallback == AdminAddress(url: "http://127.0.0.1:6066", token: nil, source: "the default"))
    }

    @Test("admin.token_file of the file, or SLUICE_ADMIN_TOKEN_FILE, gives the token (without its line break); an unreadable one is named")
    func tokenFile() throws {
        let directory = try TemporaryDirectory(prefix: "sluice-addressing")
        defer { directory.remove() }
        let tokenFile = directory.file("admin-token")
        try "from-token-file\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let file = directory.file("sluice.yaml")
        try "admin:\n  port: 7004\n  token_file: \(tokenFile)\n".write(toFile: file, atomically: true, encoding: .utf8)
        let address = try AdminAddress.resolve(admin: nil, token: nil, environment: [:], configurationFile: file)
        #expect(address == AdminAddress(url: "http://127.0.0.1:7004", token: "from-token-file", source: "admin: of \(file)"))

        let fromVariable = try AdminAddress.resolve(admin: nil, token: nil,
                                                    environment: ["SLUICE_ADMIN_TOKEN_FILE": tokenFile], configurationFile: nil)
        #expect(fromVariable.token == "from-token-file")

        try FileManager.default.removeItem(atPath: tokenFile)
        let error = #expect(throws: AdminAddressError.self) {
            try AdminAddress.resolve(admin: nil, token: nil, environment: [:], configurationFile: file)
        }
        #expect(error?.description.hasPrefix("cannot read the admin token file \(tokenFile) (admin.token_file): ") == true,
                "\(String(describing: error))")
    }

    @Test("admin.port 0 cannot be resolved: the error says where the port is and what to pass")
    func anyFreePort() throws {
        let (directory, file) = try configurationFile(port: 0, token: nil)
        defer { directory.remove() }
        let error = #expect(throws: AdminAddressError.self) {
            try AdminAddress.resolve(admin: nil, token: nil, environment: [:], configurationFile: file)
        }
        #expect(error?.description.contains("admin.port is 0 (from admin: of \(file))") == true, "\(String(describing: error))")
        #expect(error?.description.contains("--admin") == true)
    }

    // MARK: The commands

    @Test("agents, pause, resume and reload reach a host on another port through SLUICE_ADMIN_PORT, SLUICE_ADMIN_URL, --config and ./sluice.yaml")
    func commandsFollowTheHost() async throws {
        try SluiceBinary.require()
        try await AdminTestHost(admin: AdminTestHost.loopback(token: Self.token)).run { host in
            let port = try #require(URL(string: host.baseURL)?.port)
            let byPort = Self.clean.merging(["SLUICE_ADMIN_PORT": "\(port)", "SLUICE_ADMIN_TOKEN": Self.token]) { $1 }
            let table = try await ProcessRunner.run([SluiceBinary.path, "agents"], environment: byPort).output
            #expect(table.split(separator: "\n").contains { $0.hasPrefix("recorder ") }, "\(table)")

            let byURL = Self.clean.merging(["SLUICE_ADMIN_URL": host.baseURL, "SLUICE_ADMIN_TOKEN": Self.token]) { $1 }
            let paused = try await ProcessRunner.run([SluiceBinary.path, "pause", "recorder"], environment: byURL).output
            #expect(paused.contains("paused recorder: now paused"), "\(paused)")

            let (directory, file) = try configurationFile(port: port, token: Self.token)
            defer { directory.remove() }
            let fileOnly = ["SLUICE_ADMIN_URL": "", "SLUICE_ADMIN_TOKEN": ""]
            let resumed = try await ProcessRunner.run([SluiceBinary.path, "resume", "recorder", "--config", file],
                                                      environment: fileOnly).output
            #expect(resumed.contains("resumed recorder: now running"), "\(resumed)")

            // No flag at all: ./sluice.yaml, as `sluice run` reads it.
            let reload = try await ProcessRunner.run([SluiceBinary.path, "reload", "recorder"], environment: fileOnly,
                                                     currentDirectory: directory.path).output
            #expect(reload.hasPrefix("recorder: unchanged"), "\(reload)")
        }
    }

    @Test("nothing listening at the resolved address: the error names the address and where it came from")
    func unreachableNamesTheSource() async throws {
        try SluiceBinary.require()
        let port = try FreePort.next()
        let result = try await ProcessRunner.run(
            [SluiceBinary.path, "agents"], environment: Self.clean.merging(["SLUICE_ADMIN_PORT": "\(port)"]) { $1 }, check: false)
        #expect(result.status == 1)
        #expect(result.output.contains(
            "cannot reach the admin API at http://127.0.0.1:\(port) (from SLUICE_ADMIN_HOST, SLUICE_ADMIN_PORT): is `sluice run` running?"),
                "\(result.output)")
    }
}
