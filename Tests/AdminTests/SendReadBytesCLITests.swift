import Foundation
import SluiceHost
import Testing
import TestSupport

/// `sluice send` sends a value's bytes as given or refuses; `sluice read`
/// never prints a record's control characters raw unless asked to.
@Suite("sluice send and read: bytes as given, terminals safe")
struct SendReadBytesCLITests {
    @discardableResult
    private func sluice(_ arguments: [String], check: Bool = true) async throws -> ProcessRunner.Result {
        try SluiceBinary.require()
        return try await ProcessRunner.run([SluiceBinary.path] + arguments, check: check)
    }

    /// The value of the record keyed `key` in `input`.
    private func value(_ host: AdminTestHost, key: String) -> [UInt8]? {
        host.harness.records("input").first { $0.record.key == Array(key.utf8) }?.record.value
    }

    @Test("invalid UTF-8 in an argument is refused, naming the binary options; nothing is sent")
    func invalidUTF8Refused() async throws {
        try await AdminTestHost().run { host in
            // Process takes Strings; the shell's printf puts the raw 0xFF byte into argv.
            let script = #"exec "$0" send input "$(printf 'caf\351 \377')" --key raw --admin "$1""#
            let result = try await ProcessRunner.run(["sh", "-c", script, SluiceBinary.path, host.baseURL], check: false)
            #expect(result.status != 0)
            #expect(result.output.contains("argument 3 is not valid UTF-8"), "\(result.output)")
            #expect(result.output.contains("--value-file") && result.output.contains("--base64"), "\(result.output)")
            try await sluice(["send", "input", "after", "--key", "after", "--admin", host.baseURL])
            try await eventually("the later record") { value(host, key: "after") != nil }
            #expect(value(host, key: "raw") == nil, "the repaired value must not have been sent")
        }
    }

    @Test("--value-file and --base64 send exactly the bytes, binary and a leading byte-order mark included")
    func binaryValues() async throws {
        try await AdminTestHost().run { host in
            let admin = ["--admin", host.baseURL]
            let binary: [UInt8] = [0xFF, 0x00, 0x1B, 0xC3, 0x28, 0x80, 0x0A, 0x41]
            let binaryFile = host.harness.directory.file("binary.bin")
            try Data(binary).write(to: URL(fileURLWithPath: binaryFile))
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("text".utf8)
            let bomFile = host.harness.directory.file("bom.txt")
            try Data(bom).write(to: URL(fileURLWithPath: bomFile))
            try await sluice(["send", "input", "--value-file", binaryFile, "--key", "file"] + admin)
            try await sluice(["send", "input", "--value-file", bomFile, "--key", "bom"] + admin)
            try await sluice(["send", "input", Data(binary).base64EncodedString(), "--base64", "--key", "b64"] + admin)
            try await sluice(["send", "input", "plain ü", "--key", "text"] + admin)
            try await eventually("four records") { host.harness.count("input") >= 4 }
            #expect(value(host, key: "file") == binary)
            #expect(value(host, key: "bom") == bom)
            #expect(value(host, key: "b64") == binary)
            #expect(value(host, key: "text") == Array("plain ü".utf8))

            let badBase64 = try await sluice(["send", "input", "not base64!", "--base64"] + admin, check: false)
            #expect(badBase64.status != 0 && badBase64.output.contains("--base64: VALUE is not valid base64"), "\(badBase64.output)")
            let both = try await sluice(["send", "input", "v", "--value-file", binaryFile] + admin, check: false)
            #expect(both.status != 0 && both.output.contains("give one of VALUE, --value-file or --file"), "\(both.output)")
        }
    }

    @Test("read escapes terminal escapes and other controls; --raw prints them as they are")
    func readEscapesControls() async throws {
        try await AdminTestHost().run { host in
            let admin = ["--admin", host.baseURL]
            let hostile = "\u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}[31mred\r\nnext\u{202E}txt\\x1b\u{9B}"
            let file = host.harness.directory.file("hostile.txt")
            try Data(hostile.utf8).write(to: URL(fileURLWithPath: file))
            try await sluice(["send", "input", "--value-file", file, "--key", "k\u{1B}[8m"] + admin)
            try await eventually("the record") { host.harness.count("input") >= 1 }

            let escaped = try await sluice(["read", "input"] + admin).output
            let expected = #"k\x1b[8m → \x1b]0;owned\x07\x1b[2J\x1b[31mred\x0d\x0anext\u{202e}txt\\x1b\u{9b}"#
            #expect(escaped.contains(expected), "\(escaped.debugDescription)")
            #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(escaped.debugDescription)")
            #expect(!escaped.contains("\u{202E}") && !escaped.contains("\u{9B}"))

            let raw = try await sluice(["read", "input", "--raw"] + admin).output
            #expect(raw.contains(hostile), "\(raw.debugDescription)")
        }
    }
}
