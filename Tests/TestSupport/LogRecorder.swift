import Logging
import Synchronization

/// A log handler that keeps every line (level, message and metadata) in
/// memory, so a test can check what was logged: that a warning was written,
/// or that a secret never was.
public final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    /// An empty recorder.
    public init() {}

    /// Everything logged so far, one string per line: "LEVEL message metadata".
    public var all: [String] { lines.withLock { $0 } }

    /// A logger at trace level writing here.
    public func logger(label: String) -> Logger {
        Logger(label: label) { _ in Handler(recorder: self) }
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            recorder.append("\(event.level) \(event.message) \(merged)")
        }
    }
}
