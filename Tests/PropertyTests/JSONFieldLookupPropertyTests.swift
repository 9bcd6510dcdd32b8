import PropertyBased
import SluicePluginKit
import Testing

/// `JSONFieldLookup` (the non-allocating per-record fast path over several
/// paths) must agree with
/// the tree `JSONParser` builds: the same value at every path (last duplicate
/// key wins, never into arrays) and, for broken text, the same syntax error.
@Suite("JSON field lookup properties")
struct JSONFieldLookupPropertyTests {
    private static let paths: [[[UInt8]]] = [["a"], ["b"], ["a", "b"], ["a", "c"], ["c", "a", "b"], ["é"]]
        .map { $0.map { Array($0.utf8) } }

    /// A random document over a few keys (some written with escapes), with
    /// duplicates, nesting, arrays and every scalar kind.
    private static func document(seed: UInt64) -> String {
        var random = SeededRandom(state: seed)
        func value(_ depth: Int) -> String {
            switch random.next() % (depth > 3 ? 5 : 7) {
            case 0: return #""s\#(random.next() % 10)""#
            case 1: return #""x\"y\u00e9""#
            case 2: return "\(Int64(bitPattern: random.next()) % 1000).5e1"
            case 3: return random.next() % 2 == 0 ? "true" : "false"
            case 4: return "null"
            case 5: return "[" + (0..<Int(random.next() % 3)).map { _ in value(depth + 1) }.joined(separator: ",") + "]"
            default:
                let keys = [#""a""#, #""b""#, #""c""#, #""\u0061""#, #""é""#, #""\u00e9""#, #""ab""#]
                let members = (0..<Int(random.next() % 5)).map { _ in
                    keys[Int(random.next() % UInt64(keys.count))] + " : " + value(depth + 1)
                }
                return "{ " + members.joined(separator: ",") + " }"
            }
        }
        return random.next() % 8 == 0 ? value(0) : "{" + #""a":"# + value(1) + "," + #""c":"# + value(1) + "}"
    }

    /// The value at `path` by walking the tree, as the tree's users do.
    private static func treeLookup(_ root: JSONNode, _ path: [[UInt8]]) -> JSONNode? {
        var node = root
        for component in path {
            guard case .object(let members, _) = node,
                  let member = members.last(where: { $0.key == component }) else { return nil }
            node = member.value
        }
        return node
    }

    /// Same kind and position (a node keeps no position for `true`, `false` and `null`).
    private static func same(_ span: JSONSpan?, _ node: JSONNode?) -> Bool {
        switch (span?.kind, node) {
        case (nil, nil): true
        case (.string(let escaped)?, .string(let range, let nodeEscaped)?): escaped == nodeEscaped && span?.range == range
        case (.number?, .number(let range)?): span?.range == range
        case (.bool(let flag)?, .bool(let nodeFlag)?): flag == nodeFlag
        case (.null?, .null?): true
        case (.array?, .array(_, let source)?), (.object?, .object(_, let source)?): span?.range == source
        default: false
        }
    }

    @Test("on valid documents the lookup finds what the tree holds at every path")
    func agreesWithTheTree() async {
        let lookup = JSONFieldLookup(paths: Self.paths)
        await checkProperty(count: 2000, input: Gen<UInt64>.value(in: 0...UInt64.max)) { seed in
            let text = Self.document(seed: seed)
            var found: [JSONSpan?] = []
            Array(text.utf8).withUnsafeBytes { bytes in
                let tree = try? JSONParser.parse(bytes)
                #expect(tree != nil, "generated documents are valid: \(text)")
                guard let tree else { return }
                #expect(throws: Never.self) { try lookup.find(in: bytes, into: &found) }
                for (index, path) in Self.paths.enumerated() {
                    #expect(Self.same(found[index], Self.treeLookup(tree, path)),
                            "path \(path.map { String(decoding: $0, as: UTF8.self) }) in \(text)")
                }
            }
        }
    }

    @Test("on broken documents the lookup and the parser refuse with the same error")
    func refusesLikeTheParser() async {
        let lookup = JSONFieldLookup(paths: Self.paths)
        let edits = Gen<Int>.value(in: 0...10_000)
        await checkProperty(count: 2000, input: Gen<UInt64>.value(in: 0...UInt64.max), edits, edits) { seed, cut, flip in
            var bytes = Array(Self.document(seed: seed).utf8)
            bytes = Array(bytes.prefix(cut % (bytes.count + 1)))            // truncated, or not
            if !bytes.isEmpty { bytes[flip % bytes.count] = Array(#"{}[]",:"\ 1tn"#.utf8)[flip % 13] } // one byte changed
            bytes.withUnsafeBytes { bytes in
                var found: [JSONSpan?] = []
                let parsed = Result { () throws(JSONSyntaxError) in try JSONParser.parse(bytes) }
                let looked = Result { () throws(JSONSyntaxError) in try lookup.find(in: bytes, into: &found) }
                switch (parsed, looked) {
                case (.success, .success): break
                case (.failure(let expected), .failure(let actual)): #expect(actual == expected)
                default: Issue.record("parser: \(parsed), lookup: \(looked), text: \(String(decoding: bytes, as: UTF8.self))")
                }
            }
        }
    }

    @Test("a key whose escapes spell a path component matches it; a string with escapes is marked escaped")
    func escapedKeys() throws {
        let lookup = JSONFieldLookup(paths: [[Array("é".utf8)], [Array("a".utf8), Array("b".utf8)]])
        let text = Array(#"{"\u00e9": "x\ny", "\u0061": {"b": 42}}"#.utf8)
        var found: [JSONSpan?] = []
        try text.withUnsafeBytes { bytes in
            try lookup.find(in: bytes, into: &found)
            #expect(found[0]?.kind == .string(escaped: true))
            #expect(found[1]?.kind == .number)
            #expect(found[1].map { String(decoding: bytes[$0.range], as: UTF8.self) } == "42")
        }
    }
}
