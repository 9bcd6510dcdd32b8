import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// `finish_window` in `GET /agents/{name}`: the host's own readings of when
/// records finished since the agent started or resumed, with the process's CPU
/// time, over real HTTP against a runtime on memory://.
@Suite("Admin API finish window")
struct AdminFinishWindowTests {
    @Test("finish_window is null until records finish, then spans them; a resume opens a new one")
    func finishWindowFollowsTheRecords() async throws {
        try await AdminTestHost().run { host in
            let idle = try await HTTPExchange.get(host.baseURL, "/agents/recorder")
            let idleJSON = try idle.json()
            #expect(idleJSON.keys.contains("finish_window"))
            #expect(idleJSON["finish_window"] is NSNull, "\(idle.text)")

            host.harness.produce("input", count: 300)
            try await eventually("300 processed") { host.runtime.agents.first?.processed == 300 }
            let first = try await window(host)
            #expect(first.records == 300)
            #expect((1...300).contains(first.firstBatchRecords))
            #expect(first.openedAt <= first.firstFinishedAt)
            #expect(first.firstFinishedAt <= first.lastFinishedAt)
            #expect(first.firstCPUSeconds > 0 && first.firstCPUSeconds <= first.lastCPUSeconds)
            // The same clock as this process's monotonic clock: the readings are in the past.
            let now = ConditionLock.monotonicNow().components
            #expect(first.lastFinishedAt <= Double(now.seconds) + Double(now.attoseconds) / 1e18)

            #expect(try await HTTPExchange.post(host.baseURL, "/agents/recorder/pause").status == 200)
            let resumed = try await HTTPExchange.post(host.baseURL, "/agents/recorder/resume")
            #expect(resumed.status == 200)
            #expect(try resumed.json()["finish_window"] is NSNull, "\(resumed.text)")

            host.harness.produce("input", count: 100)
            try await eventually("400 processed") { host.runtime.agents.first?.processed == 400 }
            let second = try await window(host)
            #expect(second.records == 100)
            #expect(second.openedAt >= first.lastFinishedAt)
            #expect(second.firstFinishedAt >= second.openedAt)
            #expect(second.lastCPUSeconds >= first.lastCPUSeconds)
        }
    }

    private func window(_ host: AdminTestHost) async throws -> FinishWindowReport {
        let answer = try await HTTPExchange.get(host.baseURL, "/agents/recorder")
        #expect(answer.status == 200)
        let report = try JSONDecoder().decode(AgentReport.self, from: answer.body)
        return try #require(report.finishWindow, "\(answer.text)")
    }
}
