import Foundation
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// `sluice top` on a terminal: polls the admin API every interval and redraws
/// the screen in place, redraws at once when the window is resized, and
/// quits on `q` or Ctrl-C (status 0), on SIGINT, SIGTERM or SIGHUP (status
/// 128 + the signal) or after `iterations` polls. The terminal is put back
/// (normal screen, cursor, input settings) whichever way it ends.
///
/// Everything that waits (keys, signals, polls) feeds one stream of events,
/// handled in order here, so the screen is drawn from one place.
struct TopInteractiveLoop {
    /// What can happen while the screen is up.
    enum Event: Sendable {
        case key(UInt8)
        case resized
        case signal(Int32)
        case polled(Result<TopPoller.Sample, TopPoller.PollFailure>)
        /// The last of `iterations` polls was drawn.
        case finished
    }

    let poller: TopPoller
    let screen: TopScreen
    let interval: Double
    let iterations: Int?

    /// Runs until the user quits; returns the exit status.
    func run() async -> Int32 {
        let (events, sink) = AsyncStream<Event>.makeStream()
        // Trapped before the screen changes: a SIGTERM from now on restores the terminal.
        let signals = await UnixSignalsSequence(trapping: .sigwinch, .sigint, .sigterm, .sighup)
        let signalTask = Task {
            for await signal in signals {
                sink.yield(signal == .sigwinch ? .resized : .signal(signal.rawValue))
            }
        }
        let writer = OutputWriter()
        let session = await TerminalSession.enter(writer: writer)
        let keys = isatty(STDIN_FILENO) == 1 ? TerminalKeyReader.start { sink.yield(.key($0)) } : nil
        let pollTask = Task { [poller, interval, iterations] in
            var polls = 0
            while !Task.isCancelled {
                let started = ContinuousClock.now
                sink.yield(.polled(await poller.poll()))
                polls += 1
                if let iterations, polls >= iterations {
                    sink.yield(.finished)
                    return
                }
                try? await Task.sleep(until: started + .milliseconds(Int64(interval * 1000)), clock: .continuous)
            }
        }

        var size = TerminalSize.of(STDOUT_FILENO) ?? TerminalSize(width: 80, height: 24)
        var previous: TopPoller.Sample?
        var figures: TopFigures?
        var problem: String?
        var status: Int32 = 0
        var finishing = false
        await writer.write(frame(figures: nil, problem: nil, size: size))
        loop: for await event in events {
            switch event {
            case .key(let byte):
                // q, Q, Ctrl-C (a byte in raw mode, not a signal).
                if byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") || byte == 3 { break loop }
                continue
            case .resized:
                size = TerminalSize.of(STDOUT_FILENO) ?? size
            case .signal(let number):
                status = 128 + number
                break loop
            case .polled(.success(let sample)):
                figures = TopFigures(sample, previous: previous)
                previous = sample
                problem = nil
            case .polled(.failure(let failure)):
                problem = failure.description
            case .finished:
                finishing = true
            }
            await writer.write(frame(figures: figures, problem: problem, size: size))
            if finishing { break loop }
        }
        pollTask.cancel()
        signalTask.cancel()
        keys?.stop()
        sink.finish()
        await session.leave()
        return status
    }

    /// The bytes that redraw the whole screen: each line at its row, the rest
    /// of the row and every row below cleared (no full clear: no flicker).
    func frame(figures: TopFigures?, problem: String?, size: TerminalSize) -> String {
        let lines = screen.lines(figures: figures, problem: problem, now: Date(), width: size.width, height: size.height)
        var frame = ""
        for (row, line) in lines.enumerated() {
            frame += "\u{1B}[\(row + 1);1H" + line + "\u{1B}[K"
        }
        if lines.count < size.height {
            frame += "\u{1B}[\(lines.count + 1);1H\u{1B}[J"
        }
        return frame
    }
}
