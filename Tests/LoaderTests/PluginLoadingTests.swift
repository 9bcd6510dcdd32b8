import CSluicePlugin
import Foundation
import SluiceHost
import Testing
import TestSupport

/// What a loaded plugin image reports, and how the loader treats a newer minor version.
@Suite("Plugin loading")
struct PluginLoadingTests {
    @Test("a good plugin's descriptor is read into the image, and the load is logged")
    func goodPlugin() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("good.so", in: directory)
        let log = RecordedLog()
        let image = try LoaderFixtures.loader(directory, log: log).load(file: path)
        let sha256 = try #require(try await ProcessRunner.run(["sha256sum", path]).output.split(separator: " ").first)

        #expect(image.name == "fixture")
        #expect(image.version == "1.0.0")
        #expect(image.summary == "A loader test fixture")
        #expect(image.topics == ["orders", "payments"])
        #expect(image.capabilities == 0x6)
        #expect(image.capabilityFlags == [.produces, .stateless])
        #expect(image.capabilityFlags.names == ["produces", "stateless"])
        #expect(image.configSchema == "{\"type\":\"object\"}")
        #expect(image.abiMinor == UInt16(SLUICE_ABI_MINOR))
        #expect(image.descriptorSize == MemoryLayout<sluice_plugin_descriptor>.size)
        #expect(image.tables == [])
        #expect(!image.handlesTimers)
        #expect(!image.isStateful)
        #expect(image.sourcePath == path)
        #expect(image.sha256 == String(sha256))
        #expect(image.privatePath == directory.file("images/\(sha256).so"))
        #expect(try LoaderFixtures.bytes(image.privatePath) == LoaderFixtures.bytes(path))
        #expect(image.descriptor.member(\.on_batch) != nil)

        let entry = try #require(log.entries.last)
        #expect(entry.level == .info)
        #expect(entry.metadata["plugin.name"] == "fixture")
        #expect(entry.metadata["plugin.file"] == path)
    }

    @Test("the image directory is created private (0700)")
    func privateImageDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("good.so", in: directory)
        _ = try LoaderFixtures.loader(directory).load(file: path)
        var status = stat()
        #expect(stat(directory.file("images"), &status) == 0)
        #expect(status.st_mode & 0o777 == 0o700)
    }

    @Test("a newer minor version (a longer descriptor) loads; only the members this host knows are read")
    func newerMinorVersion() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("newer.so", in: directory, flags: ["-DNEWER_MINOR"])
        let image = try LoaderFixtures.loader(directory).load(file: path)
        #expect(image.abiMinor == UInt16(SLUICE_ABI_MINOR) + 1)
        #expect(image.descriptorSize == MemoryLayout<sluice_plugin_descriptor>.size + 16)
        #expect(image.name == "fixture")
        try image.validateConfiguration("{}")
    }

    @Test("unknown capability bits are shown as bitN")
    func capabilityNames() {
        #expect(PluginCapabilities(rawValue: 0b1001).names == ["pending", "bit3"])
        #expect(PluginCapabilities(rawValue: 0).names == [])
    }

    @Test("the ABI 1.0 descriptor size is 120 bytes on 64-bit")
    func v1_0Size() {
        #expect(PluginDescriptorReference.v1_0Size == 120)
    }
}
