/// Finds the values at a fixed set of field paths (`user`, `author.id`) in
/// JSON text, in one validating pass that builds no tree and allocates
/// nothing: the per-record fast path of template rendering. The whole text is
/// still checked against JSON's grammar, exactly as ``JSONParser/parse(_:)``
/// checks it.
///
/// Lookup follows the tree's rules: a path goes through objects only (never
/// into arrays) and the last of duplicate keys wins. A path that is not found
/// yields nil; callers that must say why (missing, or a parent that is not an
/// object) parse the tree then — the slow path, taken only for failures.
public struct JSONFieldLookup: Sendable {
    /// At most this many paths: candidates are tracked in a 64-bit mask.
    public static let maximumPaths = 64

    /// The paths, each a list of key components (UTF-8).
    public let paths: [[[UInt8]]]

    /// A lookup of `paths` (at most ``maximumPaths``; each with at least one component).
    public init(paths: [[[UInt8]]]) {
        precondition(paths.count <= Self.maximumPaths, "JSONFieldLookup takes at most \(Self.maximumPaths) paths")
        precondition(!paths.contains(where: \.isEmpty), "a field path needs at least one component")
        self.paths = paths
    }

    /// Validates `bytes` as one JSON value and sets `found[i]` to the value at
    /// `paths[i]`, or nil. `found` is resized to `paths.count`; pass the same
    /// array for every record to reuse its storage.
    public func find(in bytes: UnsafeRawBufferPointer, into found: inout [JSONToken?]) throws(JSONSyntaxError) {
        if found.count != paths.count {
            found = Array(repeating: nil, count: paths.count)
        } else {
            for index in found.indices { found[index] = nil }
        }
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let everyPath: UInt64 = paths.count == 64 ? .max : (1 << UInt64(paths.count)) - 1
        _ = try parser.scanValue(depth: 0, candidates: everyPath, lookup: self, found: &found)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("end of text") }
    }

    /// Whether component `depth` of path `index` equals the key at `range`.
    fileprivate func component(_ index: Int, _ depth: Int, matches bytes: UnsafeRawBufferPointer,
                               _ range: Range<Int>, escaped: Bool) -> Bool {
        let wanted = paths[index][depth]
        if escaped { return JSONStrings.unescape(bytes, range) == wanted } // rare: keys with escapes
        guard wanted.count == range.count else { return false }
        guard !wanted.isEmpty else { return true }
        return wanted.withUnsafeBytes { wanted in
            memcmp(wanted.baseAddress!, bytes.baseAddress! + range.lowerBound, range.count) == 0
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONParser {
    /// Scans one value, validating it; `candidates` are the paths whose first
    /// `depth` components led here. Records found values in `found`.
    fileprivate mutating func scanValue(depth: Int, candidates: UInt64, lookup: JSONFieldLookup,
                                        found: inout [JSONToken?]) throws(JSONSyntaxError) -> JSONToken {
        guard depth < Self.maximumDepth else { throw error("at most \(Self.maximumDepth) levels of nesting") }
        guard let byte = current else { throw error("a value") }
        let start = position
        switch byte {
        case UInt8(ascii: "{"):
            try scanObject(depth: depth, candidates: candidates, lookup: lookup, found: &found)
            return JSONToken(kind: .object, range: start..<position)
        case UInt8(ascii: "["):
            try scanArray(depth: depth, lookup: lookup, found: &found)
            return JSONToken(kind: .array, range: start..<position)
        case UInt8(ascii: "\""):
            let (range, escaped) = try parseString()
            return JSONToken(kind: .string(escaped: escaped), range: range)
        case UInt8(ascii: "t"): try expectWord("true"); return JSONToken(kind: .bool(true), range: start..<position)
        case UInt8(ascii: "f"): try expectWord("false"); return JSONToken(kind: .bool(false), range: start..<position)
        case UInt8(ascii: "n"): try expectWord("null"); return JSONToken(kind: .null, range: start..<position)
        default:
            guard JSONNumberGrammar.scan(bytes, from: &position) else { throw error("a value") }
            return JSONToken(kind: .number, range: start..<position)
        }
    }

    private mutating func scanObject(depth: Int, candidates: UInt64, lookup: JSONFieldLookup,
                                     found: inout [JSONToken?]) throws(JSONSyntaxError) {
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("a string key") }
            let (key, escaped) = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("':'") }
            position += 1
            skipWhitespace()
            // The paths that go on through this member, and those that end at it.
            var through: UInt64 = 0
            var ending: UInt64 = 0
            var remaining = candidates
            while remaining != 0 {
                let index = remaining.trailingZeroBitCount
                remaining &= remaining - 1
                guard lookup.component(index, depth, matches: bytes, key, escaped: escaped) else { continue }
                if lookup.paths[index].count == depth + 1 {
                    ending |= 1 << UInt64(index)
                } else {
                    through |= 1 << UInt64(index)
                    found[index] = nil // a later duplicate key replaces what an earlier one led to
                }
            }
            let value = try scanValue(depth: depth + 1, candidates: through, lookup: lookup, found: &found)
            while ending != 0 {
                found[ending.trailingZeroBitCount] = value
                ending &= ending - 1
            }
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "}") { position += 1; return }
            throw error("',' or '}'")
        }
    }

    private mutating func scanArray(depth: Int, lookup: JSONFieldLookup, found: inout [JSONToken?]) throws(JSONSyntaxError) {
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return }
        while true {
            skipWhitespace()
            _ = try scanValue(depth: depth + 1, candidates: 0, lookup: lookup, found: &found) // paths never enter arrays
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "]") { position += 1; return }
            throw error("',' or ']'")
        }
    }
}
