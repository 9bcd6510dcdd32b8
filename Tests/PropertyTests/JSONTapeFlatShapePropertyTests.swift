import PropertyBased
import SluicePluginKit
import Testing

/// A tape reused record after record (as a decoder reuses it) must give the
/// entries or the error a fresh tape gives, whether it read the text as the
/// remembered flat shape or in full: on sequences of records of a few
/// shapes, reordered, shortened, extended, nested, and broken at random.
@Suite("JSONTape's remembered shapes agree with a full parse")
struct JSONTapeFlatShapePropertyTests {
    private static let shapes: [[String]] = [["user", "message", "timestamp"], ["id", "kind"], ["a", "b", "a"], ["x"]]

    @Test("each record of a sequence parses as a fresh tape parses it")
    func agreement() async {
        await checkProperty(count: 200, input: Gen<UInt64>.value(in: 0...UInt64.max)) { seed in
            var random = SeededRandom(state: seed)
            var tape = JSONTape()
            for _ in 0..<20 {
                let text = Self.record(&random)
                Array(text.utf8).withUnsafeBytes { bytes in
                    var fresh = JSONTape()
                    #expect(Self.parse(&tape, bytes) == Self.parse(&fresh, bytes), "\(text)")
                }
            }
        }
    }

    private static func parse(_ tape: inout JSONTape, _ bytes: UnsafeRawBufferPointer) -> Result<[JSONTape.Entry], JSONSyntaxError> {
        do throws(JSONSyntaxError) {
            try tape.parse(bytes)
            return .success(tape.entries)
        } catch {
            return .failure(error)
        }
    }

    /// Mostly one of the shapes as it is; now and then reordered, a member
    /// short or over, and one in six cut short or with a byte changed.
    private static func record(_ random: inout SeededRandom) -> String {
        var keys = shapes[random.below(shapes.count)]
        if random.below(8) == 0, keys.count > 1 { keys.swapAt(0, keys.count - 1) }
        if random.below(10) == 0 { keys.removeLast() }
        if random.below(10) == 0 { keys.append("extra") }
        let text = "{" + keys.map { key in
            space(&random) + "\"" + key + "\"" + space(&random) + ":" + space(&random) + value(&random) + space(&random)
        }.joined(separator: ",") + "}"
        guard random.below(6) == 0 else { return text }
        var bytes = Array(text.utf8)
        if random.below(2) == 0 {
            bytes.removeLast(1 + random.below(bytes.count))
        } else {
            let replacements = Array(#"{}[]:,"\ x0"#.utf8)
            bytes[random.below(bytes.count)] = replacements[random.below(replacements.count)]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whitespace JSON allows, often none.
    private static func space(_ random: inout SeededRandom) -> String {
        [" ", "", "", "", "\n", "\t "][random.below(6)]
    }

    /// A scalar, now and then an escaped string or a nested value.
    private static func value(_ random: inout SeededRandom) -> String {
        switch random.below(9) {
        case 0: return "\"plain text \(random.below(1_000))\""
        case 1: return #""with \"escapes\" and \u00e9""#
        case 2: return String(random.below(100_000))
        case 3: return "-12.5e-3"
        case 4: return ["true", "false", "null"][random.below(3)]
        case 5: return #"{"n":[1,"two"]}"#
        case 6: return "[]"
        default: return "\"\(String(repeating: "long text ", count: random.below(6)))\""
        }
    }
}
