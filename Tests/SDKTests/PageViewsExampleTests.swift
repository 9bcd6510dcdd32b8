import CSluicePlugin
import Foundation
import Testing
import TestSupport

@Suite("The page-views example plugin")
struct PageViewsExampleTests {
    /// The entry symbol of the built plugin (`swift build` builds every product, as a
    /// plugin author's build would), loaded with dlopen as the host loads it.
    static func entry() throws -> UnsafeRawPointer? {
        let built = RepositoryPaths.path(".build/debug/libSluiceExamplePageViews.so")
        let handle = try #require(dlopen(built, RTLD_NOW | RTLD_LOCAL), "\(String(cString: dlerror())): run `swift build` first")
        let symbol = try #require(dlsym(handle, SLUICE_PLUGIN_ENTRY_V1))
        return UnsafeRawPointer(unsafeBitCast(symbol, to: sluice_plugin_entry_v1_fn.self)(1, 2))
    }

    @Test("views per user per minute are produced to page_views_per_minute when the minute closes")
    func viewsPerMinute() async throws {
        let minute: Int64 = 1_700_000_040_000
        let driver = try StatefulDriver(Self.entry())
        #expect(driver.plugin.name == "page-views")
        #expect(driver.plugin.topics == ["page_views"])
        func view(_ user: String, _ page: String, at offset: Int64) -> TestBatch.Input {
            TestBatch.Input(key: nil, value: #"{"user": "\#(user)", "page": "\#(page)"}"#, timestamp: minute + offset)
        }
        try await driver.deliver([view("alice", "/", at: 1_000), view("bob", "/a", at: 2_000),
                                  view("alice", "/b", at: 59_000), view("alice", "/c", at: 61_000)])
        #expect(driver.produced(to: "page_views_per_minute").isEmpty, "nothing before the minute closes")
        #expect(await driver.fire(SLUICE_CLOCK_STREAM, upTo: driver.host.state.committedStreamTime()) == SLUICE_BATCH_DONE)
        #expect(driver.produced(to: "page_views_per_minute") == [
            #"{"user":"alice","window_start":\#(minute),"window_end":\#(minute + 60_000),"views":2}"#,
            #"{"user":"bob","window_start":\#(minute),"window_end":\#(minute + 60_000),"views":1}"#,
        ])
        #expect(driver.host.producedRecords.filter { $0.topic == "page_views_per_minute" }.map(\.keyString) == ["alice", "bob"])
        // Input goes quiet: the wall clock closes the next minute.
        #expect(await driver.fire(SLUICE_CLOCK_WALL, upTo: minute + 120_000) == SLUICE_BATCH_DONE)
        #expect(driver.produced(to: "page_views_per_minute").last
            == #"{"user":"alice","window_start":\#(minute + 60_000),"window_end":\#(minute + 120_000),"views":1}"#)
        await driver.finish()
    }
}
