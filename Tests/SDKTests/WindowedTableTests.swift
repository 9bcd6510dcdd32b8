import CSluicePlugin
import SluiceSDK
import Testing

@Suite("Windowed tables: assignment, storage layout, closing, grace and late records")
struct WindowedTableTests {
    /// A minute boundary (and a multiple of 20 s), in epoch milliseconds.
    static let minute: Int64 = 1_700_000_040_000

    static func view(_ user: String, at timestamp: Int64) -> (value: String, timestamp: Int64) {
        (#"{"user":"\#(user)"}"#, timestamp)
    }

    static func digits(_ start: Int64) -> String {
        String(repeating: "0", count: 16 - String(start).count) + String(start)
    }

    /// The committed entries of `views` as `key=value`, without the index entries.
    static func windows(_ driver: StatefulDriver) -> [String] {
        driver.host.state.entries("views").filter { !$0.key.hasPrefix("\u{1}") }.map { "\($0.key)=\($0.value)" }
    }

    @Test("tumbling: [start, start + size) aligned to the epoch; entries, index entries and both close timers as laid out")
    func tumblingLayout() async throws {
        let m = Self.minute
        let driver = try StatefulDriver(SluicePlugin.export(TumblingAgent.self, 1, 2))
        try await driver.deliver([Self.view("alice", at: m), Self.view("bob", at: m + 1_000),
                                  Self.view("alice", at: m + 59_999), Self.view("alice", at: m + 60_000)])
        let (first, second) = (Self.digits(m), Self.digits(m + 60_000))
        #expect(driver.host.state.entries("views").map { "\($0.key)=\($0.value)" } == [
            "\u{1}\(first)/alice=", "\u{1}\(first)/bob=", "\u{1}\(second)/alice=",
            "alice@\(first)=2", "alice@\(second)=1", "bob@\(first)=1",
        ])
        // Due at window end + 10 s of grace, on both clocks.
        #expect(driver.host.state.timers().map { "\($0.clock)/\($0.key)@\($0.due)" }.sorted() == [
            "0/w/views/\(first)@\(m + 70_000)", "0/w/views/\(second)@\(m + 130_000)",
            "1/w/views/\(first)@\(m + 70_000)", "1/w/views/\(second)@\(m + 130_000)",
        ])
        await driver.finish()
    }

    @Test("an instance's own declaration (tableDeclarations) sets the window and grace of a table the descriptor names")
    func instanceDeclarations() async throws {
        let m = Self.minute
        let driver = try StatefulDriver(SluicePlugin.export(InstanceWindowAgent.self, 1, 2))
        try await driver.deliver([Self.view("alice", at: m + 5_000), Self.view("alice", at: m + 25_000)])
        #expect(Self.windows(driver) == ["alice@\(Self.digits(m))=1", "alice@\(Self.digits(m + 20_000))=1"])
        #expect(await driver.fire(SLUICE_CLOCK_WALL, upTo: m + 21_000) == SLUICE_BATCH_DONE)
        #expect(driver.produced(to: "windows") == ["alice|\(m)|\(m + 20_000)|1|final"])
        #expect(Self.windows(driver) == ["alice@\(Self.digits(m + 20_000))=1"])
        await driver.finish()
    }

    @Test("a window closes on stream time: each key's value is emitted once, its entries go, the wall-clock timer is cancelled")
    func closesOnStreamTime() async throws {
        let m = Self.minute
        let driver = try StatefulDriver(SluicePlugin.export(TumblingAgent.self, 1, 2))
        try await driver.deliver([Self.view("alice", at: m), Self.view("bob", at: m + 1_000), Self.view("alice", at: m + 2_000)])
        try await driver.deliver([Self.view("carol", at: m + 70_000)])
        #expect(await driver.fire(SLUICE_CLOCK_STREAM, upTo: driver.host.state.committedStreamTime()) == SLUICE_BATCH_DONE)
        #expect(driver.produced(to: "windows") == ["alice|\(m)|\(m + 60_000)|2|final", "bob|\(m)|\(m + 60_000)|1|final"])
        #expect(Self.windows(driver) == ["carol@\(Self.digits(m + 60_000))=1"])
        #expect(!driver.host.state.entries("views").contains { $0.key.hasPrefix("\u{1}\(Self.digits(m))") }, "index entries removed")
        #expect(!driver.host.state.timers().contains { $0.key == "w/views/\(Self.digits(m))" }, "the other clock's timer is cancelled")
        await driver.finish()
    }

    @Test("a window closes on the wall clock when input goes quiet; the stream-time timer is cancelled")
    func closesOnWallClock() async throws {
        let m = Self.minute
        let driver = try StatefulDriver(SluicePlugin.export(TumblingAgent.self, 1, 2))
        try await driver.deliver([Self.view("alice", at: m + 5_000)])
        #expect(await driver.fire(SLUICE_CLOCK_STREAM, upTo: driver.host.state.committedStreamTime()) == nil, "stream time is not there yet")
        #expect(await driver.fire(SLUICE_CLOCK_WALL, upTo: m + 70_000) == SLUICE_BATCH_DONE)
        #expect(driver.produced(to: "windows") == ["alice|\(m)|\(m + 60_000)|1|final"])
        #expect(driver.host.state.timers().isEmpty)
        #expect(driver.host.state.entries("views").isEmpty)
        await driver.finish()
    }

    @Test("grace: a record for a window whose end + grace is still ahead of stream time is added; a later one is late, counted and skipped")
    func graceAndLateRecords() async throws {
        let m = Self.minute
        let driver = try StatefulDriver(SluicePlugin.export(TumblingAgent.self, 1, 2))
        // Stream time m + 65 s: the first window (end m + 60 s, grace 10 s) still takes records.
        try await driver.deliver([Self.view("alice", at: m + 65_000), Self.view("alice", at: m + 30_000)])
        #expect(Self.windows(driver) == ["alice@\(Self.digits(m))=1", "alice@\(Self.digits(m + 60_000))=1"])
        #expect(driver.host.counter("window_late_records") == 0)
        // Stream time m + 70 s: the first window is closed to records now.
        let results = try await driver.deliver([Self.view("bob", at: m + 70_000), Self.view("bob", at: m + 59_000)])
        #expect(results == [SLUICE_RESULT_OK, SLUICE_RESULT_OK], "a late record is skipped, not failed")
        #expect(driver.host.counter("window_late_records") == 1)
        #expect(!Self.windows(driver).contains("bob@\(Self.digits(m))=1"))
        await driver.finish()
    }

    @Test("after a restart, the stream time of a timer batch makes records of closed windows late")
    func streamTimeFromTimerBatch() async throws {
        let m = Self.minute
        let before = try StatefulDriver(SluicePlugin.export(TumblingAgent.self, 1, 2))
        try await before.deliver([Self.view("alice", at: m + 1_000), Self.view("bob", at: m + 75_000)])
        #expect(await before.fire(SLUICE_CLOCK_STREAM, upTo: before.host.state.committedStreamTime()) == SLUICE_BATCH_DONE)
        #expect(before.produced(to: "windows") == ["alice|\(m)|\(m + 60_000)|1|final"])
        await before.finish()

        // A new instance over the same store, as after a crash: it has seen no record yet.
        let after = try StatefulDriver(SluicePlugin.export(TumblingAgent.self, 1, 2), host: before.host)
        #expect(await after.fire(SLUICE_CLOCK_WALL, upTo: m + 130_000) == SLUICE_BATCH_DONE)
        try await after.deliver([Self.view("alice", at: m + 2_000)])
        #expect(after.host.counter("window_late_records") == 1)
        #expect(Self.windows(after).isEmpty, "the closed minute is not opened again")
        await after.finish()
    }

    @Test("hopping: a record is in every window [k * step, k * step + size) that contains it")
    func hoppingAssignment() async throws {
        let m = Self.minute
        let driver = try StatefulDriver(SluicePlugin.export(HoppingAgent.self, 1, 2))
        try await driver.deliver([Self.view("alice", at: m + 50_000), Self.view("alice", at: m + 60_000)])
        #expect(Self.windows(driver) == [
            "alice@\(Self.digits(m))=1",            // [m, m+60): only the first record
            "alice@\(Self.digits(m + 20_000))=2",   // [m+20, m+80): both
            "alice@\(Self.digits(m + 40_000))=2",   // [m+40, m+100): both
            "alice@\(Self.digits(m + 60_000))=1",   // [m+60, m+120): the second, at its start
        ])
        #expect(await driver.fire(SLUICE_CLOCK_WALL, upTo: m + 60_000) == SLUICE_BATCH_DONE)
        #expect(driver.produced(to: "windows") == ["alice|\(m)|\(m + 60_000)|1|final"])
        await driver.finish()
    }

    @Test("sliding: each record starts [t, t + size) of its key and is added to the key's windows that contain it")
    func slidingAssignment() async throws {
        let m = Self.minute
        let driver = try StatefulDriver(SluicePlugin.export(SlidingAgent.self, 1, 2))
        try await driver.deliver([Self.view("alice", at: m), Self.view("alice", at: m + 10_000), Self.view("bob", at: m + 20_000)])
        try await driver.deliver([Self.view("alice", at: m + 30_000), Self.view("alice", at: m + 10_000)])
        #expect(Self.windows(driver) == [
            // [m, m+30): the views at m and m+10, not m+30; the second view at m+10
            // comes once stream time is m+30, when this window has closed to records.
            "alice@\(Self.digits(m))=2",
            "alice@\(Self.digits(m + 10_000))=3",  // [m+10, m+40): m+10, m+30, m+10 again
            "alice@\(Self.digits(m + 30_000))=1",  // [m+30, m+60)
            "bob@\(Self.digits(m + 20_000))=1",
        ])
        #expect(await driver.fire(SLUICE_CLOCK_STREAM, upTo: m + 30_000) == SLUICE_BATCH_DONE)
        #expect(driver.produced(to: "windows") == ["alice|\(m)|\(m + 30_000)|2|final"])
        await driver.finish()
    }

    @Test("a key that looks like another key's window entry is not taken for one of its windows")
    func slidingKeysWithAt() async throws {
        let m = Self.minute
        let driver = try StatefulDriver(SluicePlugin.export(SlidingAgent.self, 1, 2))
        let lookalike = "a@\(Self.digits(m))"
        try await driver.deliver([Self.view(lookalike, at: m), Self.view("a", at: m + 1_000)])
        // Only `a`'s own window: the lookalike's entry is in the scanned key range but is not `a@<16 digits>`.
        #expect(Self.windows(driver) == ["\(lookalike)@\(Self.digits(m))=1", "a@\(Self.digits(m + 1_000))=1"])
        await driver.finish()
    }

    @Test("emit on update: every change is emitted (and produced to the declared topic); closing only removes the entries")
    func emitOnUpdate() async throws {
        let m = Self.minute
        let driver = try StatefulDriver(SluicePlugin.export(UpdatingAgent.self, 1, 2))
        try await driver.deliver([Self.view("alice", at: m + 1_000), Self.view("alice", at: m + 2_000)])
        #expect(driver.produced(to: "windows") == ["alice|\(m)|\(m + 60_000)|1|update", "alice|\(m)|\(m + 60_000)|2|update"])
        #expect(driver.produced(to: "views_by_minute") == [
            #"{"key":"alice","window_start":\#(m),"window_end":\#(m + 60_000),"value":1}"#,
            #"{"key":"alice","window_start":\#(m),"window_end":\#(m + 60_000),"value":2}"#,
        ])
        #expect(await driver.fire(SLUICE_CLOCK_WALL, upTo: m + 60_000) == SLUICE_BATCH_DONE)
        #expect(driver.produced(to: "windows").count == 2, "nothing more on close")
        #expect(driver.host.state.entries("views").isEmpty)
        await driver.finish()
    }

    @Test("window starts of the fixed windowings")
    func fixedStarts() {
        #expect(Windowing.tumbling(.seconds(60)).fixedWindowStarts(containing: 119_999) == [60_000])
        #expect(Windowing.tumbling(.seconds(60)).fixedWindowStarts(containing: 120_000) == [120_000])
        #expect(Windowing.hopping(size: .seconds(60), step: .seconds(20)).fixedWindowStarts(containing: 120_000) == [80_000, 100_000, 120_000])
        #expect(Windowing.hopping(size: .seconds(30), step: .seconds(20)).fixedWindowStarts(containing: 25_000) == [0, 20_000])
        #expect(Windowing.hopping(size: .seconds(30), step: .seconds(20)).fixedWindowStarts(containing: 45_000) == [20_000, 40_000])
    }
}
