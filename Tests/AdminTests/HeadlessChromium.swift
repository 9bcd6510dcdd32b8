import Foundation
import TestSupport

/// Debian's `chromium` in headless mode, loading a page the way a person's
/// browser does (the status page's tests). Each run gets a private, temporary
/// profile; the process runs off the cooperative pool (`ProcessRunner`).
///
/// Page time is virtual (`--virtual-time-budget`): timers run as fast as the
/// page lets them, and the clock stands still while a request is on the wire,
/// so a page that polls every 2 s has polled a few times when the budget is
/// spent, in far less real time.
struct HeadlessChromium {
    /// Where `tools/setup` installs it.
    static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]

    /// Virtual milliseconds the page runs before its DOM or picture is taken.
    var virtualTimeBudget = 7_000

    let executable: String

    /// The installed browser.
    /// - Throws: naming `tools/setup` when none is installed.
    init() throws {
        guard let found = Self.candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw HarnessError("""
                chromium is not installed (looked for \(Self.candidates.joined(separator: ", "))): the status page's \
                browser tests need it; run tools/setup (as root), which installs Debian's chromium
                """)
        }
        executable = found
    }

    /// The DOM of `url` once the page has run, serialized as HTML.
    func dumpDOM(_ url: String) async throws -> String {
        let output = try await run(["--dump-dom", url])
        // stdout and stderr arrive together: the DOM is what lies between its tags.
        guard let start = output.range(of: "<html"), let end = output.range(of: "</html>", options: .backwards) else {
            throw HarnessError("chromium printed no DOM for \(url):\n\(output)")
        }
        return String(output[start.lowerBound..<end.upperBound])
    }

    /// Saves a PNG picture of `url` once the page has run, `width` × `height` pixels.
    func screenshot(_ url: String, to path: String, width: Int = 1280, height: Int = 800) async throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: path)
        let output = try await run(["--screenshot=\(path)", "--window-size=\(width),\(height)",
                                    "--hide-scrollbars", url])
        guard FileManager.default.fileExists(atPath: path) else {
            throw HarnessError("chromium wrote no screenshot to \(path):\n\(output)")
        }
    }

    private func run(_ arguments: [String]) async throws -> String {
        let profile = try TemporaryDirectory(prefix: "sluice-chromium")
        defer { profile.remove() }
        let result = try await ProcessRunner.run([
            executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=\(profile.path)",
            "--virtual-time-budget=\(virtualTimeBudget)",
        ] + arguments, environment: ["HOME": profile.path], check: false, timeout: .seconds(120))
        guard result.status == 0, !result.timedOut else {
            throw HarnessError("chromium \(arguments.joined(separator: " ")) failed (exit \(result.status)"
                               + "\(result.timedOut ? ", timed out" : "")):\n\(result.output)")
        }
        return result.output
    }
}
