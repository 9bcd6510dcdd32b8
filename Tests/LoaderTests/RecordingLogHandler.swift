import Foundation
import Logging

/// The log lines a loader wrote, for asserting what operators would see.
final class RecordedLog: @unchecked Sendable {
    /// One recorded line.
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lock = NSLock()
    private var recorded: [Entry] = []

    /// Everything recorded so far, in order.
    var entries: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func append(_ entry: Entry) {
        lock.lock()
        defer { lock.unlock() }
        recorded.append(entry)
    }
}

/// A swift-log handler that keeps every line in a `RecordedLog`.
struct RecordingLogHandler: LogHandler {
    let log: RecordedLog
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        log.append(.init(level: event.level, message: event.message.description,
                         metadata: merged.mapValues { "\($0)" }))
    }
}
