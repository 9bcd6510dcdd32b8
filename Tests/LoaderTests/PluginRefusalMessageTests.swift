import Foundation
import SluiceHost
import Testing
import TestSupport

/// Every refusal reason, each asserting the exact line an operator reads:
/// the file, what is wrong, and what was expected. Fixture plugins built with
/// the wrong flags share one table-driven test; set-ups of their own (modes,
/// truncation, other files) have a test each.
@Suite("Plugin refusals")
struct PluginRefusalMessageTests {
    @Test("a world-writable plugin file is refused before it is read")
    func worldWritableFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("open.so", in: directory)
        try LoaderFixtures.setMode(0o666, path)
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        #expect(refusal.reason == .unsafePermissions)
        #expect(refusal.description.hasPrefix("\(path) refused: world-writable (mode 0666, owner uid \(geteuid())"))
        #expect(refusal.description.hasSuffix("); expected no write permission for others (chmod o-w)"))
    }

    @Test("a world-writable plugins directory is refused, and scan refuses it too")
    func worldWritableDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = directory.file("plugins")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: false)
        try LoaderFixtures.setMode(0o777, plugins)
        let loader = LoaderFixtures.loader(directory)
        let expectedStart = "\(plugins) refused: plugins directory is world-writable (mode 0777, owner uid \(geteuid())"
        let expectedEnd = "); expected no write permission for others (chmod o-w)"
        do {
            try loader.checkDirectory(plugins)
            Issue.record("checkDirectory accepted a world-writable directory")
        } catch {
            #expect(error.reason == .unsafePermissions)
            #expect(error.description.hasPrefix(expectedStart))
            #expect(error.description.hasSuffix(expectedEnd))
        }
        do {
            _ = try loader.scan(directory: plugins)
            Issue.record("scan accepted a world-writable directory")
        } catch {
            #expect(error.description.hasPrefix(expectedStart))
            #expect(error.description.hasSuffix(expectedEnd))
        }
        try LoaderFixtures.setMode(0o755, plugins)
        try loader.checkDirectory(plugins)
    }

    @Test("a missing plugins directory, and a plugins path that is a file, are unreadable")
    func unreadableDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let loader = LoaderFixtures.loader(directory)
        let missing = directory.file("nowhere")
        do {
            try loader.checkDirectory(missing)
            Issue.record("a missing directory was accepted")
        } catch {
            #expect(error.reason == .unreadable)
            #expect(error.description == "\(missing) refused: plugins directory cannot be read: No such file or directory")
        }
        let file = try LoaderFixtures.write(Array("x".utf8), to: "file", in: directory)
        do {
            try loader.checkDirectory(file)
            Issue.record("a regular file was accepted as the plugins directory")
        } catch {
            #expect(error.description == "\(file) refused: not a directory (a regular file); expected the plugins directory")
        }
    }

    @Test("a missing file and a directory named .so are unreadable")
    func unreadableFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let loader = LoaderFixtures.loader(directory)
        let missing = directory.file("gone.so")
        let missingRefusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in try loader.load(file: missing) })
        #expect(missingRefusal.reason == .unreadable)
        #expect(missingRefusal.description == "\(missing) refused: cannot open: No such file or directory (expected a readable shared object)")

        let folder = directory.file("folder.so")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let folderRefusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in try loader.load(file: folder) })
        #expect(folderRefusal.reason == .unreadable)
        #expect(folderRefusal.description == "\(folder) refused: not a regular file (a directory); expected a readable shared object")
    }

    @Test("a text file named .so is not a shared object")
    func textFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try LoaderFixtures.write(Array("#!/bin/sh\necho not a plugin\n".utf8), to: "script.so", in: directory)
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        #expect(refusal.reason == .notSharedObject)
        #expect(refusal.description == "\(path) refused: not an ELF file (no \\x7fELF signature); expected a shared object built with -shared")
    }

    @Test("executables (PIE and not) and relocatable objects are not shared objects")
    func executablesAndObjects() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let loader = LoaderFixtures.loader(directory)

        // /bin/true is a PIE executable: ET_DYN like a library, but it names an interpreter.
        let pie = try LoaderFixtures.write(try LoaderFixtures.bytes("/bin/true"), to: "true.so", in: directory)
        let pieRefusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in try loader.load(file: pie) })
        #expect(pieRefusal.reason == .notSharedObject)
        #expect(pieRefusal.description == "\(pie) refused: an executable (it names a program interpreter); expected a shared object built with -shared")

        let main = directory.file("main.c")
        try "int main(void) { return 0; }\n".write(toFile: main, atomically: true, encoding: .utf8)
        let executable = directory.file("static.so")
        try await ProcessRunner.run(["cc", "-no-pie", "-o", executable, main])
        let executableRefusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in try loader.load(file: executable) })
        #expect(executableRefusal.description == "\(executable) refused: an ELF executable (ET_EXEC); expected a shared object built with -shared")

        let object = directory.file("object.so")
        try await ProcessRunner.run(["cc", "-c", "-fPIC", "-I", RepositoryPaths.pluginInclude, "-o", object, LoaderFixtures.source])
        let objectRefusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in try loader.load(file: object) })
        #expect(objectRefusal.description == "\(object) refused: an ELF relocatable object (ET_REL); expected a shared object built with -shared")
    }

    @Test("a plugin cut to its first KiB, or to half, is truncated", arguments: ["kib", "half"])
    func truncated(cut: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let good = try await LoaderFixtures.bytes(LoaderFixtures.plugin("good.so", in: directory))
        let kept = cut == "kib" ? 1024 : good.count / 2
        let path = try LoaderFixtures.write(Array(good.prefix(kept)), to: "cut.so", in: directory)
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        #expect(refusal.reason == .truncated)
        let end = LoaderFixtures.sectionHeadersEnd(good)
        #expect(refusal.description == "\(path) refused: truncated: section headers end at byte \(end), file has \(kept) bytes (expected a complete shared object)")
    }

    @Test("a shared object dlopen cannot resolve is loadFailed with dlerror's text")
    func loadFailed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("unresolved.so", in: directory, flags: ["-DUNDEFINED_SYMBOL"])
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        let sha256 = try #require(try await ProcessRunner.run(["sha256sum", path]).output.split(separator: " ").first)
        #expect(refusal.reason == .loadFailed)
        #expect(refusal.description == "\(path) refused: dlopen failed: \(directory.file("images"))/\(sha256).so: undefined symbol: sluice_fixture_missing_function")
    }

    @Test("a shared object with no entry symbol at all is not a Sluice plugin")
    func missingEntry() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.file("library.c")
        try "int some_library_function(void) { return 42; }\n".write(toFile: source, atomically: true, encoding: .utf8)
        let path = try await CPluginCompiler.compile(sources: [source], output: directory.file("library.so"))
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        #expect(refusal.reason == .missingEntry)
        #expect(refusal.description == "\(path) refused: missing entry symbol sluice_plugin_entry_v1: not a Sluice plugin (expected an exported C function sluice_plugin_entry_v1)")
    }

    /// A fixture plugin compiled with `flags` and the one line its load is refused with.
    struct FixtureRefusal: CustomTestStringConvertible, Sendable {
        let name: String
        let flags: [String]
        let reason: PluginRefusal.Reason
        /// What follows "<path> refused: ".
        let message: String
        var testDescription: String { name }
    }

    static let fixtureRefusals: [FixtureRefusal] = [
        FixtureRefusal(name: "only sluice_plugin_entry_v2: says which ABI it speaks", flags: ["-DENTRY_V2_ONLY"], reason: .missingEntry,
                       message: "missing entry symbol sluice_plugin_entry_v1; it exports sluice_plugin_entry_v2, so it speaks Sluice ABI 2 and this host speaks ABI 1"),
        FixtureRefusal(name: "an entry function returning NULL declines the host", flags: ["-DDECLINE"], reason: .declinedHost,
                       message: "sluice_plugin_entry_v1(1, 3) returned NULL: the plugin declined this host (ABI 1.3)"),
        FixtureRefusal(name: "a descriptor without the magic is not a Sluice plugin", flags: ["-DMAGIC=0"], reason: .badMagic,
                       message: "bad magic 0x00000000 (expected 0x45434c53): not a Sluice plugin"),
        FixtureRefusal(name: "a descriptor smaller than ABI 1.0's", flags: ["-DSTRUCT_SIZE=64"], reason: .descriptorTooSmall,
                       message: "descriptor struct_size 64 is smaller than an ABI 1.0 descriptor (expected at least 120 bytes)"),
        FixtureRefusal(name: "a descriptor of ABI major 2 names both majors", flags: ["-DABI_MAJOR=2"], reason: .abiMajorMismatch,
                       message: "descriptor ABI major 2, this host speaks ABI major 1 (expected 1)"),
        FixtureRefusal(name: "4-byte pointers on this 64-bit host", flags: ["-DPOINTER_SIZE=4"], reason: .pointerSizeMismatch,
                       message: "descriptor pointer_size 4, this host's pointers are 8 bytes (expected 8)"),
        FixtureRefusal(name: "agent name with a space", flags: ["-DNAME=\"Bad Name\""], reason: .invalidName,
                       message: "invalid agent name \"Bad Name\" (expected 1-64 characters from [a-z0-9_-])"),
        FixtureRefusal(name: "empty agent name", flags: ["-DNAME=\"\""], reason: .invalidName,
                       message: "invalid agent name \"\" (expected 1-64 characters from [a-z0-9_-])"),
        FixtureRefusal(name: "agent name over 64 bytes", flags: ["-DNAME=\"" + String(repeating: "a", count: 65) + "\""], reason: .invalidName,
                       message: "invalid agent name \"" + String(repeating: "a", count: 64) + "\"... (over 64 bytes) (expected 1-64 characters from [a-z0-9_-])"),
        FixtureRefusal(name: "NULL agent name", flags: ["-DNULL_NAME"], reason: .invalidName,
                       message: "agent name is NULL (expected 1-64 characters from [a-z0-9_-])"),
        FixtureRefusal(name: "a descriptor without on_batch misses a required hook", flags: ["-DNO_ON_BATCH"], reason: .missingRequiredHook,
                       message: "required hook on_batch is NULL (expected on_batch, create or create_v2, and destroy)"),
    ]

    @Test("a fixture plugin built wrong is refused with its reason and exact line", arguments: fixtureRefusals)
    func fixtureRefused(_ expected: FixtureRefusal) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("refused.so", in: directory, flags: expected.flags)
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        #expect(refusal.reason == expected.reason)
        #expect(refusal.description == "\(path) refused: \(expected.message)")
    }

    @Test("isolation: process refuses the same fixtures with the same lines, read by a runner instead of the host",
          arguments: fixtureRefusals)
    func fixtureRefusedIsolated(_ expected: FixtureRefusal) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("refused.so", in: directory, flags: expected.flags)
        var settings = AgentSettings()
        settings.isolation = .process
        let loader = LoaderFixtures.loader(directory)
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try loader.loadIsolated(file: path, agent: "refused", settings: settings)
        })
        #expect(refusal.reason == expected.reason)
        #expect(refusal.description == "\(path) refused: \(expected.message)")
        #expect(loader.loadedImageCount == 0, "the host mapped nothing")
    }

    @Test("validate_config's reason is carried into invalidConfiguration")
    func invalidConfiguration() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("config.so", in: directory)
        let image = try LoaderFixtures.loader(directory).load(file: path)
        try image.validateConfiguration("{}")
        try image.validateConfiguration("{\"fail\":false}")
        do {
            try image.validateConfiguration("{\"fail\":true}")
            Issue.record("validate_config accepted {\"fail\":true}")
        } catch {
            #expect(error.reason == .invalidConfiguration)
            #expect(error.description == "\(path) refused: configuration rejected by validate_config: fail was requested")
        }
    }

    @Test("a file declaring the agent another file is named for is duplicateName, naming both; whichever sorts first")
    func duplicateName() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plugins = directory.file("plugins")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: false)
        let rightful = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: plugins + "/twin.so",
                                                   flags: ["-DNAME=\"twin\"", "-DVERSION=\"1\""])
        // Sorts before twin.so: the old first-file-wins rule would have handed it the agent.
        let impostor = try await CPluginCompiler.compile(sources: [LoaderFixtures.source], output: plugins + "/a.so",
                                                   flags: ["-DNAME=\"twin\"", "-DVERSION=\"2\""])
        let result = try LoaderFixtures.loader(directory).scan(directory: plugins)
        #expect(result.images.map(\.sourcePath) == [rightful])
        #expect(result.refusals.map(\.description) == [
            "\(impostor) refused: two files claim plugin \"twin\": this file and \(rightful); the plugin belongs to \(rightful) "
                + "(a plugin's name is its file's name: expected a.so to declare \"a\")",
        ])
        #expect(result.refusals.map(\.reason) == [.duplicateName])
    }

    @Test("every refusal is logged with plugin.file and plugin.reason")
    func refusalsAreLogged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("magic.so", in: directory, flags: ["-DMAGIC=0"])
        let log = RecordedLog()
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory, log: log).load(file: path)
        })
        let entry = try #require(log.entries.last)
        #expect(entry.level == .error)
        #expect(entry.message == refusal.description)
        #expect(entry.metadata["plugin.file"] == path)
        #expect(entry.metadata["plugin.reason"] == "badMagic")
    }
}
