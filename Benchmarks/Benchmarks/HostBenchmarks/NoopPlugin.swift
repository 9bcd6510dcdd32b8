import Foundation

/// The benchmark agent `tools/bench/noop.c` (every record OK, nothing else),
/// compiled with the system C compiler into a plugins directory.
enum NoopPlugin {
    /// The checkout this benchmark package belongs to (Benchmarks/ is inside it).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // HostBenchmarks/
        .deletingLastPathComponent()   // Benchmarks/Benchmarks/
        .deletingLastPathComponent()   // Benchmarks/
        .deletingLastPathComponent()   // repository root

    /// A failed compilation, with the compiler's output.
    struct CompileError: Error, CustomStringConvertible {
        let description: String
    }

    /// Compiles the agent as `<directory>/<name>.so` reading `topic`.
    static func compile(into directory: String, name: String = "noop", topic: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "cc", "-O2", "-shared", "-fPIC",
            "-I", repositoryRoot.appendingPathComponent("PluginAPI/include").path,
            "-DAGENT_NAME=\"\(name)\"", "-DAGENT_TOPIC=\"\(topic)\"",
            repositoryRoot.appendingPathComponent("tools/bench/noop.c").path,
            "-o", directory + "/\(name).so",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CompileError(description: "cc tools/bench/noop.c failed (exit \(process.terminationStatus)): \(text)")
        }
    }
}
