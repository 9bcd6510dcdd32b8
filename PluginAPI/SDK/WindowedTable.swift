/// One of the agent's windowed tables during a batch (see
/// ``AgentContext/window(_:as:)``): values per key and window, kept until
/// the window closes.
///
/// A window closes at its end plus the table's grace, on **stream time**
/// (the partition's highest record timestamp) or on the **wall clock**,
/// whichever comes first, so windows close when input goes quiet too. The
/// SDK then emits each key's value (``WindowEmitPolicy/onClose``) and
/// removes the window's entries.
///
/// A record is **late** for a window when the window's end plus grace is not
/// after the stream time the instance has seen (the highest timestamp of the
/// partition's records it handled before this one, or the host's stream time
/// in its latest timer batch, when higher). Late records are not
/// added to that window; a record late for all its windows (or with a
/// negative timestamp) is counted in `sluice_plugin_window_late_records` and
/// otherwise ignored.
public struct WindowedTable<Value: Codable>: Sendable {
    /// The table's name.
    public let name: String
    let session: StateSession?
    let context: AgentContext

    /// Adds a record of `key` at `timestamp` (epoch milliseconds, usually
    /// the record's) to each window that contains it: reads the window's
    /// value (`initial` when new), lets `body` change it and stores it.
    /// Emits after each change under ``WindowEmitPolicy/onUpdate``.
    /// - Returns: the number of windows updated (0 for a late record).
    @discardableResult
    public func update(_ key: String, at timestamp: Int64, default initial: Value,
                       _ body: (inout Value) throws -> Void) async throws -> Int {
        guard let session else {
            throw StateError(operation: "window update", table: name, key: key, reason: "the agent keeps no tables (see Agent.tables)")
        }
        let declaration = try session.declaration(of: name, operation: "window update")
        guard let windowing = declaration.windowing else {
            throw StateError(operation: "window update", table: name, key: key,
                             reason: "the table is not windowed (declare it with .windowed)")
        }
        let size = windowing.sizeMilliseconds
        let grace = declaration.grace.milliseconds
        let streamTime = session.streamTime
        var updated = 0
        if timestamp >= 0 {
            for start in try windowStarts(of: key, at: timestamp, windowing: windowing, session: session)
            where streamTime < 0 || start + size + grace > streamTime {
                try await updateWindow(key: key, start: start, end: start + size, grace: grace, initial: initial,
                                       body: body, declaration: declaration, session: session)
                updated += 1
            }
        }
        if updated == 0 { session.host.counter("window_late_records").add() }
        return updated
    }

    /// The window starts a record at `timestamp` belongs to, oldest first.
    private func windowStarts(of key: String, at timestamp: Int64, windowing: Windowing,
                              session: StateSession) throws -> [Int64] {
        guard case .sliding(let size) = windowing else {
            return windowing.fixedWindowStarts(containing: timestamp).filter { $0 >= 0 }
        }
        // The key's windows that contain the record: started in (t - size, t].
        let keyLength = key.utf8.count
        let low = Array(WindowKeys.entry(key: key, start: max(0, timestamp - size.milliseconds + 1)).utf8)
        let high = Array(WindowKeys.entry(key: key, start: timestamp + 1).utf8)
        var starts: [Int64] = []
        _ = try low.withUnsafeBytes { lowBytes in
            try high.withUnsafeBytes { highBytes in
                try session.host.stateRange(batchID: session.batchID, table: name, start: lowBytes, end: highBytes) { entryKey, _ in
                    if let start = WindowKeys.entryStart(entryKey, keyLength: keyLength) { starts.append(start) }
                    return true
                }
            }
        }
        if starts.last != timestamp { starts.append(timestamp) } // the window this record starts
        return starts
    }

    private func updateWindow(key: String, start: Int64, end: Int64, grace: Int64, initial: Value,
                              body: (inout Value) throws -> Void, declaration: TableDeclaration,
                              session: StateSession) async throws {
        let table = Table<Value>(name: name, session: session)
        let entryKey = WindowKeys.entry(key: key, start: start)
        let existing = try table.get(entryKey)
        var value = existing ?? initial
        try body(&value)
        try table.set(entryKey, value)
        if existing == nil {
            // First touch of (key, window): index it and make sure the window closes.
            try WindowKeys.index(key: key, start: start).withRecordBytes { indexKey in
                try session.host.statePut(batchID: session.batchID, table: name, key: indexKey, value: UnsafeRawBufferPointer(start: nil, count: 0))
            }
            let timerKey = WindowKeys.timer(table: name, start: start)
            try session.host.scheduleTimer(batchID: session.batchID, clock: .stream, dueMilliseconds: end + grace, key: timerKey)
            try session.host.scheduleTimer(batchID: session.batchID, clock: .wall, dueMilliseconds: end + grace, key: timerKey)
        }
        if declaration.emit == .onUpdate {
            let json = try session.withEncoded(value) { Array($0) }
            let emission = WindowEmission(table: name, key: key, windowStart: start, windowEnd: end, isFinal: false, valueJSON: json)
            try await session.runtime.emit(emission, declaration: declaration, context: context)
        }
    }
}
