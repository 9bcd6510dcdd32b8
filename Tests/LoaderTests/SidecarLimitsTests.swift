import Foundation
import SluiceHost
import Testing
import TestSupport

/// A sidecar is read without blocking and within limits, and may make its
/// plugin read only the environment variables the host allows.
@Suite("Sidecar limits")
struct SidecarLimitsTests {
    /// A temporary directory with `plugins/one.so` (the loader fixture) inside.
    private func plugin(_ directory: TemporaryDirectory) async throws -> String {
        let plugins = try TrustFixtures.makeDirectory(directory.file("plugins"))
        return try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: plugins + "/one.so")
    }

    private func read(_ loader: PluginLoader, _ path: String, allowed: [String] = []) throws -> AgentSettings {
        try loader.readSidecar(forPlugin: path, defaults: AgentSettings(), allowedEnvironment: allowed)
    }

    @Test("a FIFO or a socket named NAME.yaml is refused without being opened")
    func notRegular() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await plugin(directory)
        let sidecar = directory.file("plugins/one.yaml")
        let loader = LoaderFixtures.loader(directory)
        try TrustFixtures.makeFIFO(sidecar)
        let fifo = try #require(TrustFixtures.refusal { try read(loader, path) })
        #expect(fifo.file == path)
        #expect(fifo.reason == .unreadable)
        #expect(fifo.detail == "sidecar \(sidecar): not a regular file (a FIFO); expected a regular YAML file")
        unlink(sidecar)
        let socket = try TrustFixtures.makeSocket(sidecar)
        defer { close(socket) }
        let socketRefusal = try #require(TrustFixtures.refusal { try read(loader, path) })
        #expect(socketRefusal.detail == "sidecar \(sidecar): not a regular file (a socket); expected a regular YAML file")
    }

    @Test("a sidecar over 1 MiB is refused; one of exactly 1 MiB is read")
    func oversized() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await plugin(directory)
        let sidecar = directory.file("plugins/one.yaml")
        let line = "batch_size: 10\n"
        let padding = String(repeating: "#", count: (1 << 20) - line.utf8.count - 1) + "\n"
        try (line + padding).write(toFile: sidecar, atomically: false, encoding: .utf8)
        let loader = LoaderFixtures.loader(directory)
        #expect(try read(loader, path).batchSize == 10)
        try (line + padding + "#").write(toFile: sidecar, atomically: false, encoding: .utf8)
        let refusal = try #require(TrustFixtures.refusal { try read(loader, path) })
        #expect(refusal.reason == .tooLarge)
        #expect(refusal.detail == "sidecar \(sidecar): larger than 1048576 bytes (found 1048577 bytes or more); expected at most 1048576 bytes")
    }

    @Test("an alias bomb in a sidecar is refused at once")
    func aliasBomb() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await plugin(directory)
        let sidecar = directory.file("plugins/one.yaml")
        try YAMLBomb.document(key: "config").write(toFile: sidecar, atomically: false, encoding: .utf8)
        let clock = ContinuousClock()
        let started = clock.now
        #expect {
            try read(LoaderFixtures.loader(directory), path)
        } throws: { error in
            (error as? ConfigurationError)?.description.hasPrefix("\(sidecar): expected no YAML aliases") == true
        }
        #expect(clock.now - started < .seconds(2))
    }

    @Test("an environment reference to a variable not allowed is refused, naming the sidecar, key and variable")
    func environmentNotAllowed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await plugin(directory)
        let sidecar = directory.file("plugins/one.yaml")
        let loader = LoaderFixtures.loader(directory)
        try "config:\n  auth:\n    password_env: CACHE_PASSWORD\n".write(toFile: sidecar, atomically: false, encoding: .utf8)
        #expect {
            try read(loader, path)
        } throws: { error in
            (error as? ConfigurationError)?.description == "\(sidecar): config.auth.password_env: expected an environment variable listed in plugin_environment of the host configuration (it lists none), found \"CACHE_PASSWORD\""
        }
        #expect(try read(loader, path, allowed: ["CACHE_PASSWORD"]).config == .object(["auth": .object(["password_env": .string("CACHE_PASSWORD")])]))

        try "config:\n  headers:\n    Authorization: Bearer ${API_TOKEN}\n".write(toFile: sidecar, atomically: false, encoding: .utf8)
        #expect {
            try read(loader, path, allowed: ["CACHE_PASSWORD"])
        } throws: { error in
            (error as? ConfigurationError)?.description == "\(sidecar): config.headers.Authorization: expected an environment variable listed in plugin_environment of the host configuration (it lists CACHE_PASSWORD), found \"API_TOKEN\""
        }
    }

    @Test("the host's own secrets are never handed to a plugin, allowed or not", arguments: ["SLUICE_ADMIN_TOKEN", "SLUICE_KAFKA_SASL_PASSWORD"])
    func hostSecrets(variable: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await plugin(directory)
        let sidecar = directory.file("plugins/one.yaml")
        try "config:\n  api_key_env: \(variable)\n".write(toFile: sidecar, atomically: false, encoding: .utf8)
        #expect {
            try read(LoaderFixtures.loader(directory), path, allowed: [variable])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.file == sidecar && error.key == "config.api_key_env" && error.found == "\"\(variable)\""
                && error.expected.hasPrefix("an environment variable the host does not read itself")
        }
    }
}
