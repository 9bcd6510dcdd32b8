import Foundation
import SluiceHTTPClient
import SluicePluginKit
import SluiceSDK

/// Write mode: records become line-protocol points, buffered across batches
/// and written with `POST /write` in requests of at most `max_lines` lines,
/// whenever the buffer is full, every `flush_interval_ms`, and on flush.
/// Each batch is answered PENDING and completed once all its points have a result.
///
/// Failures: connection errors, timeouts and 5xx make the request's points
/// RETRY. A 400 (InfluxDB refused a point: type conflict, bad value) is
/// bisected: the halves are written again until the bad point stands alone,
/// which is dead-lettered with InfluxDB's reason; the rest are written.
/// Re-sending a point InfluxDB already stored from a partial write is harmless:
/// a point with the same series and time overwrites itself.
final class PointWriter: @unchecked Sendable {
    // @unchecked: `buffer` is only touched with `lock` held; the rest is immutable
    // or thread-safe (the client, the host table, the timer).

    /// One encoded point and where its result goes.
    private struct Point {
        /// The line with its newline, in the body its batch was encoded into.
        let line: ArraySlice<UInt8>
        let tracker: BatchTracker
        let index: Int
    }

    private let client: HTTPClient
    private let endpoint: InfluxEndpoint
    private let encoder: PointEncoder
    private let precision: Precision
    private let maxLines: Int
    private let host: HostServices
    private let lock = NSLock()
    private var buffer: [Point] = []
    private var timer: DispatchSourceTimer?
    private let written: Counter
    private let rejected: Counter
    private let requests: Counter
    private let failures: LogThrottle

    init(client: HTTPClient, endpoint: InfluxEndpoint, configuration: InfluxConfiguration, host: HostServices) {
        self.client = client
        self.endpoint = endpoint
        encoder = PointEncoder(configuration: configuration)
        precision = configuration.precision
        maxLines = configuration.maxLines
        self.host = host
        written = host.counter("influxdb_points_written")
        rejected = host.counter("influxdb_points_rejected")
        requests = host.counter("influxdb_write_requests")
        failures = LogThrottle(host: host)

        let interval = DispatchTimeInterval.milliseconds(configuration.flushIntervalMilliseconds)
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "sluice.influxdb.flush"))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        // Weak: the timer must not keep the writer (and its client) alive after destroy.
        timer.setEventHandler { [weak self] in self?.flushBuffered() }
        timer.resume()
        self.timer = timer
    }

    deinit { timer?.cancel() }

    func handle(_ batch: inout MessageBatch) {
        // The whole batch is encoded into one buffer (no allocation per record);
        // each point keeps its line as a slice of it.
        var body: [UInt8] = []
        var lines: [(index: Int, range: Range<Int>)] = []
        lines.reserveCapacity(batch.count)
        var located = PointEncoder.LocatedRecord()
        for index in 0..<batch.count {
            let message = batch[index]
            guard let value = message.value else { batch.skip(at: index); continue } // a tombstone has no point
            do {
                try encoder.locate(value, into: &located)
            } catch {
                batch.deadLetter(at: index, reason: "invalid JSON value: \(error)")
                continue
            }
            let start = body.count
            do {
                try encoder.appendLine(for: located, in: value, recordTimestampMilliseconds: message.timestampMilliseconds, to: &body)
            } catch {
                rejected.add()
                batch.deadLetter(at: index, reason: "cannot write the record as a point: \(error)")
                continue
            }
            body.append(0x0A)
            lines.append((index, start..<body.count))
        }
        guard !lines.isEmpty else { return }
        let traceparent = batch.traceparent
        let tracker = BatchTracker(batch.finishLater(), points: lines.count, traceparent: traceparent)
        enqueue(lines.map { Point(line: body[$0.range], tracker: tracker, index: $0.index) })
    }

    /// Writes whatever is buffered now.
    func flushBuffered() {
        lock.lock()
        let taken = buffer
        buffer = []
        lock.unlock()
        var start = 0
        while start < taken.count {
            let end = min(start + maxLines, taken.count)
            send(Array(taken[start..<end]))
            start = end
        }
    }

    private func enqueue(_ points: [Point]) {
        var ready: [[Point]] = []
        lock.lock()
        buffer.append(contentsOf: points)
        if buffer.count >= maxLines {
            var start = 0
            while buffer.count - start >= maxLines {
                ready.append(Array(buffer[start..<start + maxLines]))
                start += maxLines
            }
            buffer.removeFirst(start)
        }
        lock.unlock()
        for chunk in ready { send(chunk) }
    }

    private func send(_ points: [Point]) {
        guard !points.isEmpty else { return }
        requests.add()
        var body: [UInt8] = []
        body.reserveCapacity(points.reduce(0) { $0 + $1.line.count })
        for point in points { body.append(contentsOf: point.line) }
        // A write may carry points of several batches: it continues the first one's trace.
        let request = endpoint.writeRequest(body: body, precision: precision).traced(points[0].tracker.traceparent)
        client.perform([request]) { [self] results in
            handle(results[0], for: points)
        }
    }

    /// Runs on the HTTP client's thread.
    private func handle(_ result: Result<HTTPResponse, HTTPClientError>, for points: [Point]) {
        switch HTTPOutcome.classify(result) {
        case .success:
            written.add(Int64(points.count))
            for point in points { point.tracker.written(point.index) }
        case .retry(_, let reason):
            failures.log(.warning, "InfluxDB write of \(points.count) points failed, will retry: \(reason)")
            for point in points { point.tracker.retry(point.index, reason: "InfluxDB write: \(reason)") }
        case .fail(let reason):
            guard case .success(let response) = result, response.status == 400 || response.status == 413 else {
                failures.log(.error, "InfluxDB refused a write of \(points.count) points: \(reason)")
                rejected.add(Int64(points.count))
                for point in points { point.tracker.deadLetter(point.index, reason: "InfluxDB refused the write: \(reason)") }
                return
            }
            guard points.count > 1 else {
                rejected.add()
                let detail = (try? JSONValue.parse(response.body))?["error"]?.stringValue ?? reason
                points[0].tracker.deadLetter(points[0].index, reason: "InfluxDB refused the point: \(detail)")
                return
            }
            // Somewhere in here is a point InfluxDB refuses: split and try each half.
            let middle = points.count / 2
            send(Array(points[..<middle]))
            send(Array(points[middle...]))
        }
    }
}
