import CSluicePlugin
import Foundation
import SluiceHost
import Testing
import TestSupport

/// glibc's dlopen returns the already-mapped image for a path it has seen, so
/// the loader maps content-addressed copies: same bytes, same image; new
/// bytes at the same path, a new image.
@Suite("Content-addressed images")
struct ContentAddressingTests {
    @Test("loading unchanged bytes twice maps one image; changed bytes map a new one with the new code")
    func reloadByContent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let loader = LoaderFixtures.loader(directory)
        let path = directory.file("agent.so")
        // Builds land beside the target and are renamed in, as the drop-in contract says.
        func install(version: String) async throws {
            try await LoaderFixtures.plugin("agent.so.tmp", in: directory, flags: ["-DVERSION=\"\(version)\""])
            #expect(rename(directory.file("agent.so.tmp"), path) == 0)
        }

        try await install(version: "1.0.0")
        let first = try loader.load(file: path)
        let again = try loader.load(file: path)
        #expect(again.sha256 == first.sha256)
        #expect(again.privatePath == first.privatePath)
        #expect(again.descriptor.pointer == first.descriptor.pointer)
        #expect(loader.loadedImageCount == 1)

        try await install(version: "2.0.0")
        let second = try loader.load(file: path)
        #expect(second.sha256 != first.sha256)
        #expect(second.privatePath != first.privatePath)
        #expect(second.version == "2.0.0")
        #expect(loader.loadedImageCount == 2)
        // The old image stays mapped (never unloaded) and still answers with its own code.
        let oldVersion = try #require(first.descriptor.member(\.version) ?? nil)
        #expect(String(cString: oldVersion) == "1.0.0")

        // Going back to the first bytes reuses the first image.
        try await install(version: "1.0.0")
        let back = try loader.load(file: path)
        #expect(back.sha256 == first.sha256)
        #expect(back.descriptor.pointer == first.descriptor.pointer)
        #expect(loader.loadedImageCount == 2)
    }

    @Test("a tampered private copy is replaced, not trusted")
    func tamperedCopy() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("agent.so", in: directory)
        let sha256 = try #require(try await ProcessRunner.run(["sha256sum", path]).output.split(separator: " ").first)
        let copy = directory.file("images/\(sha256).so")
        try FileManager.default.createDirectory(atPath: directory.file("images"), withIntermediateDirectories: false)
        try "garbage".write(toFile: copy, atomically: true, encoding: .utf8)
        let image = try LoaderFixtures.loader(directory).load(file: path)
        #expect(image.privatePath == copy)
        #expect(try LoaderFixtures.bytes(copy) == LoaderFixtures.bytes(path))
    }
}
