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
public struct JSONFieldLookup: @unchecked Sendable {
    // @unchecked: the table pointers point into `storage`, immutable after
    // init and alive as long as this value.

    /// At most this many paths: candidates are tracked in a 64-bit mask.
    public static let maximumPaths = 64

    /// The paths, each a list of key components (UTF-8).
    public let paths: [[[UInt8]]]
    /// The scan reads the paths only through the tables below, plain memory
    /// reached through pointers: reading nested arrays per member would
    /// retain and release them, and one lookup is shared by every worker
    /// thread, so those reference counts were contended across cores (most
    /// of the InfluxDB plugin's CPU in S5).
    private let storage: Tables
    /// The tables as plain pointers: what the scan carries (and its closures capture).
    private let view: TableView

    /// The paths as the scan reads them.
    fileprivate struct TableView {
        /// Every component of every path, concatenated.
        let keyBytes: UnsafeRawBufferPointer
        /// Each component's bytes in `keyBytes`, path after path.
        let components: UnsafeBufferPointer<Range<Int>>
        /// Per path: its first component in `components`, and how many it has.
        let firstComponent: UnsafeBufferPointer<Int>
        let componentCount: UnsafeBufferPointer<Int>

        /// Whether `key` (a member name in `bytes`) is component `depth` of path `index`.
        func component(_ depth: Int, ofPath index: Int, is key: JSONSpan, in bytes: UnsafeRawBufferPointer) -> Bool {
            key.isString(UnsafeRawBufferPointer(rebasing: keyBytes[components[firstComponent[index] + depth]]), in: bytes)
        }

        /// Whether path `index` ends at component `depth`.
        func path(_ index: Int, endsAt depth: Int) -> Bool {
            componentCount[index] == depth + 1
        }
    }

    /// Owns the tables' memory.
    private final class Tables {
        let keyBytes: UnsafeMutableRawBufferPointer
        let components: UnsafeMutableBufferPointer<Range<Int>>
        let firstComponent: UnsafeMutableBufferPointer<Int>
        let componentCount: UnsafeMutableBufferPointer<Int>

        init(_ paths: [[[UInt8]]]) {
            let flat = paths.flatMap { $0 }
            keyBytes = .allocate(byteCount: flat.reduce(0) { $0 + $1.count }, alignment: 1)
            components = .allocate(capacity: flat.count)
            firstComponent = .allocate(capacity: paths.count)
            componentCount = .allocate(capacity: paths.count)
            var byte = 0, component = 0
            for (index, path) in paths.enumerated() {
                firstComponent.initializeElement(at: index, to: component)
                componentCount.initializeElement(at: index, to: path.count)
                for key in path {
                    keyBytes[byte..<byte + key.count].copyBytes(from: key)
                    components.initializeElement(at: component, to: byte..<byte + key.count)
                    byte += key.count
                    component += 1
                }
            }
        }

        deinit {
            keyBytes.deallocate()
            components.deallocate()
            firstComponent.deallocate()
            componentCount.deallocate()
        }
    }

    /// A lookup of `paths` (at most ``maximumPaths``; each with at least one component).
    public init(paths: [[[UInt8]]]) {
        precondition(paths.count <= Self.maximumPaths, "JSONFieldLookup takes at most \(Self.maximumPaths) paths")
        precondition(!paths.contains(where: \.isEmpty), "a field path needs at least one component")
        self.paths = paths
        storage = Tables(paths)
        view = TableView(keyBytes: UnsafeRawBufferPointer(storage.keyBytes), components: UnsafeBufferPointer(storage.components),
                         firstComponent: UnsafeBufferPointer(storage.firstComponent),
                         componentCount: UnsafeBufferPointer(storage.componentCount))
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
        _ = try parser.lookUpValue(depth: 0, candidates: everyPath, paths: view, found: &found)
        try parser.expectEnd()
    }
}

extension JSONParser {
    /// Scans one value, validating it; `candidates` are the paths whose first
    /// `depth` components led here. Records found values in `found`.
    fileprivate mutating func lookUpValue(depth: Int, candidates: UInt64, paths: JSONFieldLookup.TableView,
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
                guard paths.component(depth, ofPath: index, is: name, in: parser.bytes) else { continue }
                if paths.path(index, endsAt: depth) {
                    ending |= 1 << UInt64(index)
                } else {
                    through |= 1 << UInt64(index)
                    found[index] = nil // a later duplicate key replaces what an earlier one led to
                }
            }
            let value = try parser.lookUpValue(depth: depth + 1, candidates: through, paths: paths, found: &found)
            while ending != 0 {
                found[ending.trailingZeroBitCount] = value
                ending &= ending - 1
            }
        }
        return JSONSpan(kind: .object, range: source)
    }
}
