import Foundation
import SluicePluginKit

/// The `Decoder` behind ``RecordDecoder``: a cursor over a ``JSONTape``.
///
/// One object serves every nested value of a record (as Foundation's decoder
/// does): decoding a child moves ``current`` and pushes its key on
/// ``codingPath``, and puts both back afterwards. It is also the
/// single-value container, so asking for one allocates nothing.
final class TapeDecoder: Decoder, SingleValueDecodingContainer {
    /// Set when a record decoder takes this decoder from ``TapeDecoderPool``.
    @exclusivity(unchecked) private(set) var options: DecodingOptions
    @exclusivity(unchecked) private(set) var userInfo: [CodingUserInfoKey: Any]
    // The stored properties are read on every member of every record; the
    // decoder runs one decode at a time and no access overlaps another, so
    // they skip the runtime's exclusivity bookkeeping (`@exclusivity(unchecked)`).
    /// The parsed record; kept between records for its storage.
    @exclusivity(unchecked) private var tape = JSONTape()
    /// ``tape``'s entries in place, read without reference counting; valid
    /// until the next parse (this decoder holds the tape).
    @exclusivity(unchecked) private(set) var entries = UnsafeBufferPointer<JSONTape.Entry>(start: nil, count: 0)
    /// The record's bytes, valid during ``decodeTopLevel(_:from:)`` only.
    @exclusivity(unchecked) private(set) var bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The entry being decoded; ``absent`` for a missing value read as null (a `superDecoder` of a missing key).
    @exclusivity(unchecked) private(set) var current = 0
    @exclusivity(unchecked) var codingPath: [any CodingKey] = []
    /// The top-level object's keyed container, kept from record to record:
    /// `KeyedDecodingContainer` boxes its container on the heap, and the
    /// top level asks for one per record, always the same (this decoder, the
    /// object at index 0, the decoder's own path). Its key type's identity is
    /// ``topContainerKey``. (The container does not retain this decoder.)
    @exclusivity(unchecked) private var topContainer: KeptContainer?
    @exclusivity(unchecked) private var topContainerKey: ObjectIdentifier?
    /// The latest type decoded through its own `init(from:)` (none of the
    /// types read specially): asked again, it skips those checks.
    @exclusivity(unchecked) private var plainType: ObjectIdentifier?
    /// The object of the latest member lookup, and the tape index after the
    /// member it found: where the next field most likely is (``JSONTape/firstMember(named:of:hint:keysDistinct:in:bytes:)``).
    /// Reset by every parse, since it indexes this record's tape.
    @exclusivity(unchecked) private var hintObject = -1
    @exclusivity(unchecked) private var hintChild = -1
    /// ``JSONTape/topLevelKeysDistinct`` of this record, read once per parse.
    @exclusivity(unchecked) private var topLevelKeysDistinct = false
    /// ``JSONTape/flatShapeGeneration`` of this record, read once per parse
    /// (the tape's getter is a call into the kit per field otherwise).
    @exclusivity(unchecked) private var shapeGeneration = -1
    /// The keys found at each position of the top-level object of the
    /// remembered flat shape (``JSONTape/flatShapeGeneration``
    /// ``knownKeysGeneration``): asked for the same key at the same place
    /// again, the lookup compares the key's bytes (a `CodingKeys` enum's
    /// case) or its string, which for a `CodingKeys` enum is the same literal
    /// every time, instead of the string's bytes with the record's.
    @exclusivity(unchecked) private var knownKeys: [KnownKey] = []
    @exclusivity(unchecked) private var knownKeysGeneration = -1
    /// The decoders ``superDecoder(at:path:)`` made, kept (as every decoder
    /// is, see ``TapeDecoderPool``) and reused once nothing else holds them.
    @exclusivity(unchecked) private var sharedDecoders: [TapeDecoder] = []
    /// The own paths of this record's nested keyed containers (``keepPath(_:)``),
    /// cleared by every parse; ``recordGeneration`` tells them apart from
    /// the paths of earlier records.
    @exclusivity(unchecked) private var keptPaths: [[any CodingKey]] = []
    @exclusivity(unchecked) private var recordGeneration: UInt32 = 0
    /// The decoder that parsed the record a super decoder reads, which keeps
    /// its paths; nil for that decoder itself. (Decoders are never freed.)
    @exclusivity(unchecked) private var pathKeeper: Unmanaged<TapeDecoder>?

    /// Where a nested keyed container's own path is kept (``keepPath(_:)``).
    struct KeptPath {
        let slot: Int32
        let generation: UInt32
    }

    static let absent = -1
    /// Parse storage of more entries than this is dropped when the decoder
    /// goes back to the pool, so one huge record does not stay in memory.
    static let retainedEntryCapacity = 1 << 16

    init(options: DecodingOptions) {
        self.options = options
        userInfo = options.userInfo
    }

    /// Sets this decoder up for a new record decoder with `options`.
    func prepare(options: DecodingOptions) {
        self.options = options
        userInfo = options.userInfo
    }

    /// Readies this decoder for the pool: no record, and no large storage.
    func retire() {
        bytes = UnsafeRawBufferPointer(start: nil, count: 0)
        codingPath.removeAll()
        forgetKeptPaths()
        if tape.entryCapacity > Self.retainedEntryCapacity {
            tape = JSONTape()
            // New storage counts its shape generations afresh: forget the keys found under the old ones.
            knownKeys = []
            knownKeysGeneration = -1
        }
        entries = tape.unsafeEntries
        releaseIdleSharedDecoders()
    }

    /// Makes this decoder stand over `other`'s record at `index` with `path` (`superDecoder`).
    private func share(_ other: TapeDecoder, at index: Int, path: [any CodingKey]) {
        options = other.options
        userInfo = other.userInfo
        // The copy of the tape keeps its entries alive when `other` parses the next record.
        tape = other.tape
        entries = other.entries
        bytes = other.bytes
        current = index
        codingPath = path
        hintObject = -1
        pathKeeper = .passUnretained(other.pathKeeper?.takeUnretainedValue() ?? other)
    }

    /// Keeps `path`, a nested keyed container's own, until the next record,
    /// so that the container holds a ``KeptPath`` instead of an array: the
    /// standard library's box copies the container for every field it reads.
    func keepPath(_ path: [any CodingKey]) -> KeptPath {
        if let pathKeeper { return pathKeeper._withUnsafeGuaranteedRef { $0.keepPath(path) } }
        keptPaths.append(path)
        return KeptPath(slot: Int32(truncatingIfNeeded: keptPaths.count - 1), generation: recordGeneration)
    }

    /// The path `kept` stands for; a container asking after its record's
    /// decode stops the process, as its reads do (``requireDecoding(_:)``).
    func path(_ kept: KeptPath) -> [any CodingKey] {
        if let pathKeeper { return pathKeeper._withUnsafeGuaranteedRef { $0.path(kept) } }
        precondition(kept.generation == recordGeneration && Int(kept.slot) < keptPaths.count,
                     "a decoding container was used after the decode that made it returned")
        return keptPaths[Int(kept.slot)]
    }

    private func forgetKeptPaths() {
        keptPaths.removeAll(keepingCapacity: true)
        recordGeneration &+= 1
    }

    /// Lets go of the records idle shared decoders stand over, so this
    /// decoder's next parse reuses its storage instead of copying it.
    private func releaseIdleSharedDecoders() {
        for index in sharedDecoders.indices where isKnownUniquelyReferenced(&sharedDecoders[index]) {
            let shared = sharedDecoders[index]
            shared.tape = JSONTape()
            shared.entries = shared.tape.unsafeEntries
            shared.bytes = UnsafeRawBufferPointer(start: nil, count: 0)
        }
    }

    func decodeTopLevel<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        if !sharedDecoders.isEmpty { releaseIdleSharedDecoders() }
        if !keptPaths.isEmpty { forgetKeptPaths() }
        do {
            try tape.parse(bytes)
            entries = tape.unsafeEntries
        } catch {
            entries = tape.unsafeEntries
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: [], debugDescription: "The given data was not valid JSON: \(error)", underlyingError: error))
        }
        self.bytes = bytes
        current = 0
        hintObject = -1
        topLevelKeysDistinct = tape.topLevelKeysDistinct
        shapeGeneration = tape.flatShapeGeneration
        // Guarded: emptying an empty array still asks for new storage.
        if !codingPath.isEmpty { codingPath.removeAll(keepingCapacity: true) }
        defer { self.bytes = UnsafeRawBufferPointer(start: nil, count: 0) }
        return try decodeCurrent(type)
    }

    /// The value at `index`.
    func span(at index: Int) -> JSONSpan {
        if index == Self.absent { return JSONSpan(kind: .null, range: 0..<0) }
        requireDecoding(index)
        return entries[index].value
    }

    /// Stops with a clear message instead of reading freed or foreign bytes
    /// when a container is used after the decode that made it returned.
    func requireDecoding(_ index: Int) {
        precondition(bytes.baseAddress != nil && index >= 0 && index < entries.count,
                     "a decoding container was used after the decode that made it returned")
    }

    /// The tape index of the member named `key` of the object at `object`
    /// (its first occurrence, as in Foundation's decoder), or nil: one lookup
    /// per field of every record, over the entries in place.
    func memberIndex<Key: CodingKey>(of key: Key, in object: Int) -> Int? {
        let flat = object == 0 && topLevelKeysDistinct
        // A flat object's member at position p stands at index p + 1.
        var next = 0
        if flat {
            requireDecoding(object)
            next = hintObject == 0 ? hintChild : 1
            if knownKeysGeneration != shapeGeneration || next >= entries[0].next || next - 1 >= knownKeys.count {
                next = 0
            } else if knownKeys[next - 1].type == ObjectIdentifier(Key.self), let bits = trivialKeyBits(of: key),
                      knownKeys[next - 1].bits == bits {
                return found(next)
            }
        }
        var name = key.stringValue
        // A position not found yet has no type (and an empty name, which must not match an empty key).
        if next > 0, knownKeys[next - 1].type != nil, Self.sameRepresentation(knownKeys[next - 1].name, name) {
            return found(next)
        }
        let found = name.withUTF8 { memberIndex(named: UnsafeRawBufferPointer($0), of: object) }
        if flat, let found, !name.isEmpty {
            remember(KnownKey(name: name, type: ObjectIdentifier(Key.self), bits: trivialKeyBits(of: key)), at: found - 1)
        }
        return found
    }

    /// `index`, the member at the top level's next position, noted as the last one found.
    @inline(__always)
    private func found(_ index: Int) -> Int {
        hintObject = 0
        hintChild = index + 1
        return index
    }

    /// What a lookup found at one position of the top-level object of the
    /// remembered shape (``knownKeys``).
    private struct KnownKey {
        /// The key's string: asked for one of the same representation again, the lookup takes this position.
        var name: String
        /// The key's type, and its bytes when ``trivialKeyBits(of:)`` has them:
        /// the same value of the same type again is the same key, found
        /// without asking for its string (a call, and a string to release).
        var type: ObjectIdentifier?
        var bits: UInt64?

        static let none = KnownKey(name: "", type: nil, bits: nil)
    }

    /// Whether two strings are the same representation, as a literal is each
    /// time: then they have the same bytes (a kept string keeps its storage,
    /// so no other string can take its place). Not `==`, which also equates
    /// other spellings of the same characters, where the tape compares bytes.
    @inline(__always)
    private static func sameRepresentation(_ one: String, _ other: String) -> Bool {
        unsafeBitCast(one, to: (UInt64, UInt64).self) == unsafeBitCast(other, to: (UInt64, UInt64).self)
    }

    /// Notes that the top-level object's member at `position` is `key`.
    private func remember(_ key: KnownKey, at position: Int) {
        let generation = shapeGeneration
        if knownKeysGeneration != generation {
            knownKeys.removeAll(keepingCapacity: true)
            knownKeysGeneration = generation
        }
        if knownKeys.count <= position {
            knownKeys.append(contentsOf: repeatElement(.none, count: position + 1 - knownKeys.count))
        }
        knownKeys[position] = key
    }

    /// The tape index of the first member named `name` (UTF-8) of the object at `object`, or nil.
    @inline(__always) // one call per field of every record
    func memberIndex(named name: UnsafeRawBufferPointer, of object: Int) -> Int? {
        requireDecoding(object)
        let found = JSONTape.firstMember(named: name, of: object, hint: hintObject == object ? hintChild : -1,
                                         keysDistinct: object == 0 && topLevelKeysDistinct, in: entries, bytes: bytes)
        if let found {
            hintObject = object
            hintChild = entries[found].next
        }
        return found
    }

    /// Decodes the child at `index`, under `key`, below `base` (a container's
    /// own path) or below the current path when `base` is nil.
    func decodeChild<T: Decodable>(_ type: T.Type, at index: Int, key: any CodingKey,
                                   base: [any CodingKey]?) throws -> T {
        let saved = current
        current = index
        if let base {
            let savedPath = codingPath
            codingPath = base + [key]
            defer { codingPath = savedPath; current = saved }
            return try decodeCurrent(type)
        }
        codingPath.append(key)
        defer { codingPath.removeLast(); current = saved }
        return try decodeCurrent(type)
    }

    /// Reads a scalar at `index`; an error names the coding path `path()` answers.
    @inline(__always) // specialized in each container's decode(_:) for its type
    func read<T: TapeScalar>(_ type: T.Type, at index: Int, path: () -> [any CodingKey]) throws -> T {
        do {
            return try T.read(span(at: index), in: bytes)
        } catch {
            throw error.decodingError(T.self, path: path())
        }
    }

    /// The current value, with the types Foundation's decoder reads specially.
    private func decodeCurrent<T: Decodable>(_ type: T.Type) throws -> T {
        // The checks below cost a conformance lookup; a record's own type passes them on every record.
        if ObjectIdentifier(type) == plainType { return try T(from: self) }
        if let scalar = type as? any TapeScalar.Type {
            return try read(scalar, at: current) { codingPath } as! T
        }
        if type == Date.self { return try decodeDate() as! T }
        if type == Decimal.self { return try decodeDecimal() as! T }
        if type == URL.self {
            let text = try read(String.self, at: current) { codingPath }
            guard let url = URL(string: text) else { throw corrupted("Invalid URL string.") }
            return url as! T
        }
        if type == Data.self {
            let text = try read(String.self, at: current) { codingPath }
            guard let data = Data(base64Encoded: text) else { throw corrupted("Encountered Data is not valid Base64.") }
            return data as! T
        }
        plainType = ObjectIdentifier(type)
        return try T(from: self)
    }

    private func decodeDate() throws -> Date {
        switch options.dateStrategy {
        case .deferredToDate:
            return try Date(from: self)
        case .secondsSince1970:
            return Date(timeIntervalSince1970: try read(Double.self, at: current) { codingPath })
        case .millisecondsSince1970:
            return Date(timeIntervalSince1970: try read(Double.self, at: current) { codingPath } / 1000)
        case .iso8601:
            let span = span(at: current)
            guard case .string = span.kind else {
                throw TapeMismatch.wrongKind(span.kind).decodingError(String.self, path: codingPath)
            }
            let instant = span.withText(in: bytes) { ISO8601Instant($0, form: .rfc3339) }
            guard let instant else { throw corrupted("Expected date string to be ISO8601-formatted.") }
            return Date(timeIntervalSince1970: Double(instant.seconds) + Double(instant.nanoseconds) / 1e9)
        }
    }

    private func decodeDecimal() throws -> Decimal {
        let span = span(at: current)
        guard span.kind == .number else {
            throw TapeMismatch.wrongKind(span.kind).decodingError(Decimal.self, path: codingPath)
        }
        guard let decimal = Decimal(string: span.text(in: bytes)) else {
            throw corrupted("Parsed JSON number <\(span.text(in: bytes))> does not fit in Decimal.")
        }
        return decimal
    }

    private func corrupted(_ description: String) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: description))
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try requireKind(.object, [String: Any].self, at: current, path: codingPath)
        guard current == 0 else {
            return KeyedDecodingContainer(TapeKeyedContainer<Key>(decoder: self, object: current, ownPath: nil))
        }
        if let topContainer, topContainerKey == ObjectIdentifier(Key.self) {
            // Same key type, so it holds a `KeyedDecodingContainer<Key>`.
            return topContainer.container(as: KeyedDecodingContainer<Key>.self)
        }
        let made = KeyedDecodingContainer(TapeKeyedContainer<Key>(decoder: self, object: 0, ownPath: nil))
        topContainer = KeptContainer(made)
        topContainerKey = ObjectIdentifier(Key.self)
        return made
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try requireKind(.array, [Any].self, at: current, path: codingPath)
        return TapeUnkeyedContainer(decoder: self, array: current, ownPath: nil)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// Throws unless the value at `index` is an object or array (`kind`);
    /// null is `valueNotFound`, as in Foundation.
    func requireKind(_ kind: JSONSpan.Kind, _ type: Any.Type, at index: Int, path: [any CodingKey]) throws {
        let found = span(at: index).kind
        guard found != kind else { return }
        if found == .null {
            let what = kind == .object ? "keyed" : "unkeyed"
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: path, debugDescription: "Cannot get \(what) decoding container -- found null value instead"))
        }
        throw TapeMismatch.wrongKind(found).decodingError(type, path: path)
    }

    /// A separate decoder at `index` (for `superDecoder`), so it may outlive
    /// the call that made it: one made before that nothing else holds now,
    /// or a new one.
    func superDecoder(at index: Int, path: [any CodingKey]) -> TapeDecoder {
        for reused in sharedDecoders.indices where isKnownUniquelyReferenced(&sharedDecoders[reused]) {
            sharedDecoders[reused].share(self, at: index, path: path)
            return sharedDecoders[reused]
        }
        let made = TapeDecoder(options: options)
        made.share(self, at: index, path: path)
        sharedDecoders.append(made)
        return made
    }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { span(at: current).isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try read(type, at: current) { codingPath } }
    func decode(_ type: String.Type) throws -> String { try read(type, at: current) { codingPath } }
    func decode(_ type: Double.Type) throws -> Double { try read(type, at: current) { codingPath } }
    func decode(_ type: Float.Type) throws -> Float { try read(type, at: current) { codingPath } }
    func decode(_ type: Int.Type) throws -> Int { try read(type, at: current) { codingPath } }
    func decode(_ type: Int8.Type) throws -> Int8 { try read(type, at: current) { codingPath } }
    func decode(_ type: Int16.Type) throws -> Int16 { try read(type, at: current) { codingPath } }
    func decode(_ type: Int32.Type) throws -> Int32 { try read(type, at: current) { codingPath } }
    func decode(_ type: Int64.Type) throws -> Int64 { try read(type, at: current) { codingPath } }
    func decode(_ type: UInt.Type) throws -> UInt { try read(type, at: current) { codingPath } }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try read(type, at: current) { codingPath } }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try read(type, at: current) { codingPath } }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try read(type, at: current) { codingPath } }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try read(type, at: current) { codingPath } }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeCurrent(type) }
}
