import Foundation
import SluiceHost
import Synchronization
import Testing
import TestSupport

/// The host's scheduler for retry backoffs: jobs run on its own thread, in
/// deadline order, first-in first-out for equal deadlines.
@Suite("Timer thread")
struct TimerThreadTests {
    @Test("jobs run in deadline order, equal deadlines in the order they were scheduled, on the timer's thread")
    func deadlineOrder() async throws {
        let timers = TimerThread(name: "sluice-test-tmr")
        let ran = Mutex<[String]>([])
        let threadNames = Mutex<Set<String>>([])
        func job(_ label: String) -> @Sendable () -> Void {
            {
                ran.withLock { $0.append(label) }
                let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                threadNames.withLock { _ = $0.insert(name.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
        }
        // Gaps of 200 ms: a busy machine may pause this thread between two
        // calls, but not for long enough to reorder the deadlines.
        timers.schedule(after: .zero, job("now"))
        timers.schedule(after: .milliseconds(600), job("late"))
        timers.schedule(after: .milliseconds(200), job("early-1"))
        timers.schedule(after: .milliseconds(200), job("early-2"))
        timers.schedule(after: .milliseconds(400), job("middle"))
        try await eventually(timeout: .seconds(10), "every job ran") { ran.withLock { $0.count } == 5 }
        #expect(ran.withLock { $0 } == ["now", "early-1", "early-2", "middle", "late"])
        #expect(threadNames.withLock { $0 } == ["sluice-test-tmr"], "jobs run on the timer's own, named thread")
    }
}
