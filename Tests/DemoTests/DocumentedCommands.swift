import Foundation
import TestSupport

/// The shell commands shown in README.md and docs/**/*.md: every line of a
/// fenced code block (plain, `sh`, `bash`, `console`) whose first word is a
/// program a reader would type. Output lines (`sluice: cannot reach …`,
/// `sluice.yaml: …`) and layout listings do not start with one, so they are
/// not commands.
enum DocumentedCommands {
    /// One command as shown, and where.
    struct Shown: Sendable {
        /// The file, relative to the repository root.
        let file: String
        /// The line as written (without a `$ ` prompt).
        let line: String
        /// What identifies the command: the program and, for those with
        /// subcommands, the subcommand (`sluice send`, `make demo`, `tools/services up`).
        let key: String
    }

    /// The files searched: README.md and every Markdown file under docs/.
    static var files: [String] {
        let docs = FileManager.default.enumerator(atPath: RepositoryPaths.path("docs"))?
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".md") }.map { "docs/" + $0 } ?? []
        return ["README.md"] + docs.sorted()
    }

    /// Programs whose lines are commands. A product under `.build/` counts by
    /// its name (`.build/debug/sluice` is `sluice`).
    private static let programs: Set<String> = [
        "sluice", "sluice-demo-services", "make", "tools/test", "tools/services", "tools/demo", "tools/setup", "swift",
        "curl", "printf", "cp", "mv", "cc", "cd", "redis-cli",
    ]
    /// Programs identified with their first argument too.
    private static let withSubcommand: Set<String> = ["sluice", "make", "tools/services", "swift"]

    /// Every command shown in `files`.
    static func all() throws -> [Shown] {
        try files.flatMap { file in
            try commands(in: String(contentsOfFile: RepositoryPaths.path(file), encoding: .utf8), file: file)
        }
    }

    static func commands(in text: String, file: String) -> [Shown] {
        var shown: [Shown] = []
        var inBlock = false, shellBlock = false, continued = false
        for rawLine in text.components(separatedBy: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                if !inBlock { shellBlock = ["", "sh", "bash", "shell", "console"].contains(String(line.dropFirst(3))) }
                inBlock.toggle()
                continued = false
                continue
            }
            guard inBlock, shellBlock else { continue }
            defer { continued = line.hasSuffix("\\") || line.hasSuffix("|") }
            if continued { continue }
            let command = line.hasPrefix("$ ") ? String(line.dropFirst(2)) : line
            if let key = key(of: command) { shown.append(Shown(file: file, line: command, key: key)) }
        }
        return shown
    }

    /// The key of a command line, or nil when it is not a command.
    static func key(of command: String) -> String? {
        var words = command.split(separator: " ").map(String.init).drop { $0.contains("=") && !$0.hasPrefix("-") }
        guard var program = words.first else { return nil }
        if program.hasPrefix(".build/"), let name = program.split(separator: "/").last { program = String(name) }
        guard programs.contains(program) else { return nil }
        words = words.dropFirst()
        guard withSubcommand.contains(program), let argument = words.first, !argument.hasPrefix("-"),
              !argument.hasPrefix("#") else { return program }
        return program + " " + argument
    }
}
