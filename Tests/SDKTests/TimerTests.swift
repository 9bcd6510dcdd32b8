import CSluicePlugin
import SluiceSDK
import Testing

@Suite("Timers: every, cron and scheduled ones through on_timer")
struct TimerTests {
    static func view(_ user: String, page: String = "home", at timestamp: Int64) -> TestBatch.Input {
        TestBatch.Input(key: nil, value: #"{"user":"\#(user)","page":"\#(page)"}"#, timestamp: timestamp)
    }

    @Test("declared timers start with the partition's first batch: every one period later, cron at its next minute")
    func declaredTimersStart() async throws {
        let driver = try StatefulDriver(SluicePlugin.export(TickingAgent.self, 1, 2))
        let before = wallClockNow()
        try await driver.deliver([Self.view("alice", at: before)])
        let after = wallClockNow()
        let timers = driver.host.state.timers()
        let tick = try #require(timers.first { $0.key == "t/tick" })
        #expect(tick.clock == Int32(SLUICE_CLOCK_WALL.rawValue))
        #expect(tick.due >= before + 10_000 && tick.due <= after + 10_000)
        let report = try #require(timers.first { $0.key == "t/report" })
        #expect(report.due % 300_000 == 0 && report.due > before && report.due <= after + 300_000, "the next five-minute mark")

        // A second batch does not move them.
        try await driver.deliver([Self.view("bob", at: after)])
        #expect(driver.host.state.timers().first { $0.key == "t/tick" }?.due == tick.due)
        await driver.finish()
    }

    @Test("an every: timer fires through on_timer, which awaits the async handler, and is rescheduled one period on")
    func everyFiresAndReschedules() async throws {
        let driver = try StatefulDriver(SluicePlugin.export(TickingAgent.self, 1, 2))
        try await driver.deliver([Self.view("alice", at: wallClockNow())])
        let tick = try #require(driver.host.state.timers().first { $0.key == "t/tick" })
        #expect(await driver.fire(SLUICE_CLOCK_WALL, upTo: tick.due) == SLUICE_BATCH_DONE)
        // Produced and written before on_timer returned, though the handler sleeps first.
        // (The five-minute report may be due in the same firing; only the tick is looked at.)
        #expect(driver.produced(to: "ticks").filter { $0.hasPrefix("tick|") } == ["tick|declared|wall|\(tick.due)"])
        #expect(driver.host.state.entries("fired").first { $0.key == "tick" }?.value == "1")
        #expect(driver.host.state.timers().first { $0.key == "t/tick" }?.due == tick.due + 10_000)

        // Fired late by more than a period: next one period after now, not in the past.
        let late = tick.due + 10_000 + 25_000
        #expect(await driver.fire(SLUICE_CLOCK_WALL, upTo: late) != nil)
        #expect(driver.host.state.timers().first { $0.key == "t/tick" }?.due == late + 10_000)
        #expect(driver.host.state.entries("fired").first { $0.key == "tick" }?.value == "2")
        await driver.finish()
    }

    @Test("a cron timer is rescheduled at its next matching minute")
    func cronReschedules() async throws {
        let driver = try StatefulDriver(SluicePlugin.export(TickingAgent.self, 1, 2))
        try await driver.deliver([Self.view("alice", at: wallClockNow())])
        let report = try #require(driver.host.state.timers().first { $0.key == "t/report" })
        _ = await driver.fire(SLUICE_CLOCK_WALL, upTo: report.due)
        #expect(driver.produced(to: "ticks").contains("report|declared|wall|\(report.due)"))
        #expect(driver.host.state.timers().first { $0.key == "t/report" }?.due == report.due + 300_000)
        await driver.finish()
    }

    @Test("a timer the agent schedules on stream time reaches onTimer with its key")
    func scheduledTimer() async throws {
        let t: Int64 = 1_700_000_000_000
        let driver = try StatefulDriver(SluicePlugin.export(TickingAgent.self, 1, 2))
        try await driver.deliver([Self.view("alice", page: "schedule", at: t)])
        #expect(driver.host.state.timers().contains { $0.key == "u/remind-alice" && $0.due == t + 5_000 && $0.clock == 1 })
        #expect(await driver.fire(SLUICE_CLOCK_STREAM, upTo: t + 4_999) == nil)
        #expect(await driver.fire(SLUICE_CLOCK_STREAM, upTo: t + 5_000) == SLUICE_BATCH_DONE)
        #expect(driver.produced(to: "ticks") == ["remind-alice|scheduled|stream|\(t + 5_000)"])
        await driver.finish()
    }

    @Test("AgentError.fatal from onTimer makes on_timer FATAL with the reason; another error is logged, counted, and the rest still run")
    func timerErrors() async throws {
        let t: Int64 = 1_700_000_000_000
        let driver = try StatefulDriver(SluicePlugin.export(TickingAgent.self, 1, 2))
        try await driver.deliver([Self.view("oops", page: "schedule", at: t), Self.view("alice", page: "schedule", at: t + 1)])
        #expect(await driver.fire(SLUICE_CLOCK_STREAM, upTo: t + 5_001) == SLUICE_BATCH_DONE)
        #expect(driver.host.counter("timer_errors") == 1)
        #expect(driver.host.logLines.contains { $0.contains("timer 'u/remind-oops' failed") })
        #expect(driver.produced(to: "ticks") == ["remind-alice|scheduled|stream|\(t + 5_001)"])

        try await driver.deliver([Self.view("boom", page: "schedule", at: t + 10_000)])
        #expect(await driver.fire(SLUICE_CLOCK_STREAM, upTo: t + 15_000) == SLUICE_BATCH_FATAL)
        #expect(driver.host.errorReasons.last?.reason == "cannot go on")
        await driver.finish()
    }

    @Test("a batch whose records retry drops its timers with its writes; the next batch schedules them again")
    func retriedBatchReschedules() async throws {
        let driver = try StatefulDriver(SluicePlugin.export(TickingAgent.self, 1, 2))
        // The host refuses the timers: the batch retries, and its writes are dropped.
        driver.host.state.refuseAll = true
        let results = try await driver.deliver([Self.view("alice", at: wallClockNow())])
        #expect(results == [SLUICE_RESULT_RETRY])
        driver.host.state.refuseAll = false
        try await driver.deliver([Self.view("alice", at: wallClockNow())])
        #expect(driver.host.state.timers().contains { $0.key == "t/tick" })
        await driver.finish()
    }
}
