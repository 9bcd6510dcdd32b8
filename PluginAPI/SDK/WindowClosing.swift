/// Closes a window when one of its two close timers fires: emits each key's
/// value (under ``WindowEmitPolicy/onClose``), removes the entries and their
/// index entries, and cancels the timer on the other clock.
enum WindowClosing {
    static func close(table: String, start: Int64, firedOn clock: TimerClock,
                      session: StateSession, context: AgentContext) async throws {
        guard let declaration = session.runtime.tables[table], let windowing = declaration.windowing else {
            session.host.log(.warning, "window timer for '\(table)', which is not a windowed table of this agent; ignored")
            return
        }
        let host = session.host
        // The visitor must not call the host: collect the keys first.
        var keys: [String] = []
        let prefixLength = WindowKeys.indexStart(start).utf8.count
        _ = try WindowKeys.indexStart(start).withRecordBytes { low in
            try WindowKeys.indexEnd(start).withRecordBytes { high in
                try host.stateRange(batchID: session.batchID, table: table, start: low, end: high) { indexKey, _ in
                    keys.append(String(decoding: indexKey[prefixLength...], as: UTF8.self))
                    return true
                }
            }
        }
        let end = start + windowing.sizeMilliseconds
        for key in keys {
            let entryKey = WindowKeys.entry(key: key, start: start)
            var stored: [UInt8]?
            _ = try entryKey.withRecordBytes { entry in
                try host.stateGet(batchID: session.batchID, table: table, key: entry) { stored = Array($0) }
            }
            if let stored, declaration.emit == .onClose {
                let emission = WindowEmission(table: table, key: key, windowStart: start, windowEnd: end, isFinal: true, valueJSON: stored)
                try await session.runtime.emit(emission, declaration: declaration, context: context)
            }
            try entryKey.withRecordBytes { try host.statePut(batchID: session.batchID, table: table, key: $0, value: nil) }
            try WindowKeys.index(key: key, start: start).withRecordBytes {
                try host.statePut(batchID: session.batchID, table: table, key: $0, value: nil)
            }
        }
        try host.cancelTimer(batchID: session.batchID, clock: clock == .wall ? .stream : .wall,
                             key: WindowKeys.timer(table: table, start: start))
    }
}
