import ArgumentParser
import Foundation

/// `sluice new-plugin NAME --lang swift|c`: scaffolds a plugin project outside
/// this repository that builds and loads as generated.
struct NewPluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-plugin",
        abstract: "Create a plugin project (Swift package or C file + Makefile) that builds as generated.",
        discussion: """
            Swift: a SwiftPM package whose library product depends on the Sluice SDK package
            (PluginAPI/ of the checkout) only; build with `swift build -c release`, the plugin is
            .build/release/lib<Module>.so. C: one C file and a Makefile against sluice_plugin.h;
            build with `make`. Both come with `make test`: the plugin runs in a real host on
            memory:// (`sluice try`) and what it produces is compared with test/expected.ndjson.
            See docs/writing-plugins.md.
            """)

    /// The languages a plugin can be scaffolded in.
    enum Language: String, ExpressibleByArgument, CaseIterable {
        case swift, c
    }

    @Argument(help: "Agent name: 1-64 characters from [a-z0-9_-].")
    var name: String

    @Option(help: "swift or c.")
    var lang: Language = .swift

    @Option(help: "Directory to create (default: ./NAME).")
    var output: String?

    @Option(help: "The Sluice checkout to build against (default: the one this sluice binary was built in).")
    var sluice: String?

    func validate() throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        guard (1...64).contains(name.count), name.allSatisfy(allowed.contains) else {
            throw ValidationError("NAME: expected 1-64 characters from [a-z0-9_-], found \"\(name)\"")
        }
    }

    func run() throws {
        let directory = output ?? name
        let manager = FileManager.default
        guard !manager.fileExists(atPath: directory) else {
            throw ValidationError("--output: \(directory) already exists; choose another directory")
        }
        let checkout = URL(fileURLWithPath: sluice ?? NewPluginCommand.defaultCheckout()).standardizedFileURL.path
        guard manager.fileExists(atPath: checkout + "/PluginAPI/include/sluice_plugin.h") else {
            throw ValidationError("--sluice: \(checkout) is not a Sluice checkout (no PluginAPI/include/sluice_plugin.h)")
        }
        let binary = Self.runningBinary()
        let files = lang == .swift
            ? PluginTemplates.swift(name: name, checkout: checkout, sluiceBinary: binary)
            : PluginTemplates.c(name: name, checkout: checkout, sluiceBinary: binary)
        for (path, text) in files {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        print("created \(lang.rawValue) plugin '\(name)' in \(directory):")
        for path in files.keys.sorted() { print("  \(path)") }
        print("")
        switch lang {
        case .swift:
            print("build:  cd \(directory) && swift build -c release")
            print("test:   cd \(directory) && make test   (runs it in a real host with `sluice try`)")
            print("deploy: cp .build/release/lib\(PluginTemplates.moduleName(name)).so PLUGINS/.\(name).so.tmp && mv PLUGINS/.\(name).so.tmp PLUGINS/\(name).so")
        case .c:
            print("build:  cd \(directory) && make")
            print("test:   cd \(directory) && make test   (runs it in a real host with `sluice try`)")
            print("deploy: cp \(name).so PLUGINS/.\(name).so.tmp && mv PLUGINS/.\(name).so.tmp PLUGINS/\(name).so")
        }
    }

    /// This sluice binary's absolute path, for the scaffold's `make test`.
    static func runningBinary() -> String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }

    /// The checkout this binary was built in: `<checkout>/.build/<config>/sluice`.
    static func defaultCheckout() -> String {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var url = binary.deletingLastPathComponent()
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: url.path + "/Package.swift") {
            url.deleteLastPathComponent()
        }
        return url.path
    }
}
