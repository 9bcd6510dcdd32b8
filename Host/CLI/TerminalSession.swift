import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The terminal while `sluice top` draws on it: raw input (keys arrive one by
/// one, unechoed, Ctrl-C as a byte rather than a signal), the alternate screen
/// (the shell's screen comes back untouched afterwards) and a hidden cursor.
/// ``leave()`` puts everything back; it runs once however often it is called
/// (normal exit, `q`, SIGINT, SIGTERM).
final class TerminalSession: Sendable {
    /// Switch to the alternate screen, hide the cursor, clear, home.
    static let enterSequence = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[2J\u{1B}[H"
    /// Show the cursor, back to the normal screen.
    static let leaveSequence = "\u{1B}[?25h\u{1B}[?1049l"

    private let input: Int32
    private let writer: OutputWriter
    /// The input's settings before raw mode (nil: input is not a terminal), until restored.
    private let saved: Mutex<termios?>
    private let active = Mutex(true)

    private init(input: Int32, writer: OutputWriter, saved: termios?) {
        self.input = input
        self.writer = writer
        self.saved = Mutex(saved)
    }

    /// Puts the terminal in top's mode: raw `input` (when it is a terminal),
    /// alternate screen and hidden cursor through `writer`.
    static func enter(input: Int32 = STDIN_FILENO, writer: OutputWriter) async -> TerminalSession {
        var saved: termios?
        var settings = termios()
        if isatty(input) == 1, tcgetattr(input, &settings) == 0 {
            saved = settings
            var raw = settings
            raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
            raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
            withUnsafeMutableBytes(of: &raw.c_cc) { cells in
                cells[Int(VMIN)] = 1
                cells[Int(VTIME)] = 0
            }
            _ = tcsetattr(input, TCSANOW, &raw)
        }
        let session = TerminalSession(input: input, writer: writer, saved: saved)
        await writer.write(enterSequence)
        return session
    }

    /// Back to the normal screen with the cursor shown, and the input's
    /// settings as they were. Only the first call does anything.
    func leave() async {
        guard active.withLock({ active in
            defer { active = false }
            return active
        }) else { return }
        await writer.write(Self.leaveSequence)
        let saved = saved.withLock { $0 }
        guard let settings = saved else { return }
        let input = input
        // After the last frame and the leave sequence: the queue is in order.
        await writer.perform {
            var restored = settings
            _ = tcsetattr(input, TCSANOW, &restored)
        }
    }
}
