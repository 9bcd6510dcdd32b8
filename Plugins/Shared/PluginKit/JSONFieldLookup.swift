/// Finds the values at a fixed set of field paths (`user`, `author.id`) in
/// JSON text, in one validating pass that builds no tree and allocates
/// nothing: the per-record fast path of template rendering when a record is
/// read at several paths (``JSONParser/lastMember(named:of:in:)`` scans the
/// object once per key). The whole text is checked with the parser's own
/// grammar, so the errors are those of ``JSONParser/parse(_:)``.
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
    public func find(in bytes: UnsafeRawBufferPointer, into found: inout [JSONSpan?]) throws(JSONSyntaxError) {
        if found.count != paths.count {
            found = Array(repeating: nil, count: paths.count)
        } else {
            for index in found.indices { found[index] = nil }
        }
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let everyPath: UInt64 = paths.count == 64 ? .max : (1 << UInt64(paths.count)) - 1
        _ = try parser.lookUpValue(depth: 0, candidates: everyPath, lookup: self, found: &found)
        try parser.expectEnd()
    }
}

extension JSONParser {
    /// Scans one value, validating it; `candidates` are the paths whose first
    /// `depth` components led here. Records found values in `found`.
    fileprivate mutating func lookUpValue(depth: Int, candidates: UInt64, lookup: JSONFieldLookup,
                                          found: inout [JSONSpan?]) throws(JSONSyntaxError) -> JSONSpan {
        guard candidates != 0, current == UInt8(ascii: "{") else { return try skipValue(depth: depth) }
        guard depth < Self.maximumDepth else { throw error("at most \(Self.maximumDepth) levels of nesting") }
        let source = try scanMembers(depth: depth) { parser, key, escaped throws(JSONSyntaxError) in
            let name = JSONSpan(kind: .string(escaped: escaped), range: key)
            // The paths that go on through this member, and those that end at it.
            var through: UInt64 = 0
            var ending: UInt64 = 0
            var remaining = candidates
            while remaining != 0 {
                let index = remaining.trailingZeroBitCount
                remaining &= remaining - 1
                let path = lookup.paths[index]
                guard name.isString(path[depth], in: parser.bytes) else { continue }
                if path.count == depth + 1 {
                    ending |= 1 << UInt64(index)
                } else {
                    through |= 1 << UInt64(index)
                    found[index] = nil // a later duplicate key replaces what an earlier one led to
                }
            }
            let value = try parser.lookUpValue(depth: depth + 1, candidates: through, lookup: lookup, found: &found)
            while ending != 0 {
                found[ending.trailingZeroBitCount] = value
                ending &= ending - 1
            }
        }
        return JSONSpan(kind: .object, range: source)
    }
}
