import Foundation
import SluiceHost
import Testing
import TestSupport

/// THE RULE: `Tests/Fixtures/abi-v1.0/sluice_plugin.h` is a frozen copy of the
/// header as released for ABI 1.0 and is never edited. A plugin compiled
/// against it must keep loading with the current host loader. Every later
/// change to `PluginAPI/include/sluice_plugin.h` (new members, new minor
/// versions) must keep this test passing; a change that cannot is a new ABI
/// major version with a new entry symbol, not an edit of v1.
@Suite("ABI stability")
struct ABIStabilityTests {
    @Test("a plugin built against the frozen v1.0 header loads with the current host")
    func frozenV1_0PluginLoads() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let frozenHeader = LoaderFixtures.frozenV1_0Include + "/sluice_plugin.h"
        #expect(FileManager.default.fileExists(atPath: frozenHeader))
        let path = try await LoaderFixtures.plugin("v1_0.so", in: directory, flags: ["-DVERSION=\"built-against-1.0\""],
                                             includeDirectory: LoaderFixtures.frozenV1_0Include)
        let image = try LoaderFixtures.loader(directory).load(file: path)
        #expect(image.name == "fixture")
        #expect(image.version == "built-against-1.0")
        #expect(image.abiMinor == 0)
        #expect(image.descriptorSize == PluginDescriptorReference.v1_0Size)
        #expect(image.topics == ["orders", "payments"])
        #expect(image.descriptor.member(\.create) != nil)
        #expect(image.descriptor.member(\.destroy) != nil)
        try image.validateConfiguration("{}")
        #expect(throws: PluginRefusal.self) { try image.validateConfiguration("{\"fail\":true}") }
    }
}
