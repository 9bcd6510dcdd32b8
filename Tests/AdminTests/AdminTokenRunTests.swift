import Foundation
import Testing
import TestSupport

/// The same refusals from `sluice run`: exit status 2 before anything runs, one clear line.
@Suite("sluice run refuses a bad admin token")
struct AdminTokenRunTests {
    @Test("a blank token or a token file open to others stops sluice run with status 2 and the reason", arguments: [
        "blank", "open file",
    ])
    func runRefuses(case name: String) async throws {
        try SluiceBinary.require()
        let directory = try TemporaryDirectory(prefix: "sluice-token-run")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("plugins"), withIntermediateDirectories: true)
        let tokenFile = directory.file("admin-token")
        try "s3cret\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(chmod(tokenFile, 0o644) == 0)
        let admin = name == "blank" ? "  token: \"   \"" : "  token_file: \(tokenFile)"
        let configuration = directory.file("sluice.yaml")
        try """
            plugins_directory: \(directory.file("plugins"))
            data_directory: \(directory.file("data"))
            admin:
              port: 0
            \(admin)
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.run([SluiceBinary.path, "run", "--config", configuration], check: false,
                                                 timeout: .seconds(60))
        #expect(result.status == 2, "\(result.output)")
        let expected = name == "blank" ? "is empty or only whitespace"
            : "refusing the token file \(tokenFile): its mode is 0644"
        #expect(result.output.contains("sluice: admin API: ") && result.output.contains(expected), "\(result.output)")
        #expect(!result.output.contains("s3cret"))
    }
}
