import Foundation
import SluiceHost
import Testing
import TestSupport

/// Only loaded plugins keep a private copy in `<data_directory>/images`, and
/// copies no agent runs from are pruned at start-up.
@Suite("Plugin image store")
struct ImageStoreTests {
    /// The file names in `directory`, sorted; none when it is missing.
    private func names(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test("a plugin refused after it was copied leaves no copy; a loaded one keeps its copy",
          arguments: [["-DDECLINE"], ["-DMAGIC=0"], ["-DENTRY_V2_ONLY"], ["-DUNDEFINED_SYMBOL"]])
    func refusedFileNotKept(flags: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let refused = try await LoaderFixtures.plugin("refused.so", in: directory, flags: flags)
        let good = try await LoaderFixtures.plugin("good.so", in: directory)
        let loader = LoaderFixtures.loader(directory)
        #expect(LoaderFixtures.refusal { () throws(PluginRefusal) in try loader.load(file: refused) } != nil)
        #expect(names(directory.file("images")).isEmpty)
        let image = try loader.load(file: good)
        #expect(names(directory.file("images")) == [image.sha256 + ".so"])
    }

    @Test("an image directory a group may write to is refused: a copy could be swapped before it is loaded")
    func groupWritableImageDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("good.so", in: directory)
        try TrustFixtures.makeDirectory(directory.file("images"), mode: 0o770)
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        #expect(refusal.reason == .unsafePermissions)
        #expect(refusal.detail.hasPrefix("image directory \(directory.file("images")) is group-writable (mode 0770"))
    }

    @Test("a new version refused on reload keeps no copy; the running version's copy stays")
    func refusedReloadNotKept() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder(name: "recorder", version: "1", sidecar: "batch_size: 10\n")
        let images = harness.directory.file("data/images")
        try await harness.withRuntime { runtime in
            let running = try #require(runtime.agent("recorder"))
            try LoaderFixtures.setMode(0o664, harness.pluginsDirectory + "/recorder.yaml")
            let before = runtime.reloadEvents.count
            try await harness.installRecorder(name: "recorder", version: "2")
            try await eventually("version 2 is refused for its sidecar") {
                runtime.reloadEvents.dropFirst(before).contains {
                    if case .refused(let reason) = $0.outcome { return reason.contains("sidecar") }
                    return false
                }
            }
            #expect(runtime.agent("recorder") === running)
            #expect(names(images) == [running.image.sha256 + ".so"])
        }
    }

    @Test("at start-up, images no agent runs from are pruned: stale copies, disabled and refused agents; running ones stay")
    func unusedImagesPruned() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder(name: "recorder")
        try await harness.installRecorder(name: "sleeper", sidecar: "enabled: false\n")
        try await harness.installRecorder(name: "refused", sidecar: "batch_size: 10\n")
        try LoaderFixtures.setMode(0o664, harness.pluginsDirectory + "/refused.yaml")
        let images = harness.directory.file("data/images")
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let stale = images + "/" + String(repeating: "0", count: 64) + ".so"
        let leftover = images + "/" + String(repeating: "1", count: 64) + ".so.42.7.tmp"
        try "stale".write(toFile: stale, atomically: false, encoding: .utf8)
        try "leftover".write(toFile: leftover, atomically: false, encoding: .utf8)
        try await harness.withRuntime { runtime in
            let running = try #require(runtime.agent("recorder"))
            #expect(runtime.agent("sleeper") == nil)
            #expect(runtime.refusals.map(\.file) == [harness.pluginsDirectory + "/refused.so"])
            #expect(names(images) == [running.image.sha256 + ".so"])
            #expect(FileManager.default.fileExists(atPath: running.image.privatePath))
        }
    }
}
