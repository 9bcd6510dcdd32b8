import Foundation
import SluicePluginKit

/// An agent instance's tables and timers: the declarations, and the agent's
/// hooks for timers and emitted windows, reachable from every batch's
/// ``StateSession``.
final class AgentStateRuntime: Sendable {
    let agentName: String
    let tables: [String: TableDeclaration]
    let timers: [String: TimerDeclaration]
    /// The declared timers in declaration order (scheduled in this order).
    let timerOrder: [TimerDeclaration]
    let onTimer: @Sendable (TimerFiring, AgentContext) async throws -> Void
    let windowEmitted: @Sendable (WindowEmission, AgentContext) async throws -> Void

    init<A: Agent>(agent: A) {
        agentName = A.name
        // The instance's declarations, for the tables the descriptor names (and
        // windowed where the static ones are, since only those get close timers).
        let declared = Dictionary(A.tables.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var tables = declared
        for table in agent.tableDeclarations where table.problem == nil {
            guard let original = declared[table.name], (original.windowing == nil) == (table.windowing == nil) else { continue }
            tables[table.name] = table
        }
        self.tables = tables
        timerOrder = A.timers
        timers = Dictionary(A.timers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        onTimer = { firing, context in try await agent.onTimer(firing, context: context) }
        windowEmitted = { emission, context in try await agent.windowEmitted(emission, context: context) }
    }

    /// Hands a window's value to the agent, after producing it to the
    /// table's emit topic when it names one.
    func emit(_ emission: WindowEmission, declaration: TableDeclaration, context: AgentContext) async throws {
        if let topic = declaration.emitTopic {
            var json: [UInt8] = []
            json.reserveCapacity(emission.valueJSON.count + emission.key.utf8.count + 64)
            json.append(contentsOf: #"{"key":"#.utf8)
            JSONText.appendQuoted(emission.key, to: &json)
            json.append(contentsOf: #","window_start":\#(emission.windowStart),"window_end":\#(emission.windowEnd),"value":"#.utf8)
            json.append(contentsOf: emission.valueJSON)
            json.append(UInt8(ascii: "}"))
            try context.produce(topic: topic, key: emission.key, value: json)
        }
        try await windowEmitted(emission, context)
    }

    /// Schedules every declared timer of a partition that has none yet:
    /// each first due one period (or at the next cron minute) from `now`.
    func startDeclaredTimers(host: HostServices, batchID: UInt64, now: Int64) throws(StateError) {
        for timer in timerOrder {
            guard let due = timer.nextDue(after: now, now: now) else { continue }
            try host.scheduleTimer(batchID: batchID, clock: .wall, dueMilliseconds: due, key: WindowKeys.declaredTimer(timer.name))
        }
    }
}

/// Wall-clock time in epoch milliseconds.
func wallClockMilliseconds() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
}
