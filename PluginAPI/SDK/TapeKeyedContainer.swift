import SluicePluginKit

/// A JSON object read through a ``TapeDecoder``.
///
/// It refers to its decoder without retaining it: the standard library's
/// container box copies and destroys the container for every field it
/// reads, and a retained reference made that two atomic operations per
/// field. Safe because decoders are never freed (``TapeDecoderPool``), and
/// a container used after its decode stops the process with a message
/// (``TapeDecoder/requireDecoding(_:)``) instead of reading another record.
/// For the same reason it holds no path of its own: a nested container's
/// path is kept by the decoder (``TapeDecoder/keepPath(_:)``), so the
/// container is trivially copyable and those copies cost no reference
/// counting either.
struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    private let decoderReference: Unmanaged<TapeDecoder>
    /// The object's tape index.
    let object: Int
    /// The container's path when it is not the decoder's current one (a
    /// nested container); nil: the decoder's path, which is the container's
    /// own whenever the container is used.
    private let keptPath: TapeDecoder.KeptPath?

    init(decoder: TapeDecoder, object: Int, ownPath: [any CodingKey]?) {
        decoderReference = .passUnretained(decoder)
        self.object = object
        keptPath = ownPath.map(decoder.keepPath)
    }

    /// The decoder, retained for the caller (the paths read once per container or error).
    private var decoder: TapeDecoder { decoderReference.takeUnretainedValue() }

    /// Calls `body` with the decoder, not retained: the path of every field.
    @inline(__always)
    private func withDecoder<Result>(_ body: (TapeDecoder) throws -> Result) rethrows -> Result {
        try decoderReference._withUnsafeGuaranteedRef(body)
    }

    var codingPath: [any CodingKey] { ownPath ?? decoder.codingPath }

    /// The container's own path (``keptPath``), read from its decoder.
    private var ownPath: [any CodingKey]? { keptPath.map(decoder.path) }

    var allKeys: [Key] {
        decoder.requireDecoding(object)
        let entries = decoder.entries
        var keys: [Key] = []
        var seen: Set<String> = []
        var child = object + 1
        for _ in 0..<entries[object].childCount {
            let entry = entries[child]
            let name = JSONSpan(kind: .string(escaped: entry.keyEscaped), range: entry.key).text(in: decoder.bytes)
            // A repeated key is one key, as in Foundation's decoder.
            if seen.insert(name).inserted, let key = Key(stringValue: name) { keys.append(key) }
            child = entry.next
        }
        return keys
    }

    /// The member's tape index, or nil.
    private func index(of key: Key, in decoder: TapeDecoder) -> Int? {
        decoder.memberIndex(of: key, in: object)
    }

    @inline(__always) // into each field's read: a call per field otherwise
    private func require(_ key: Key, in decoder: TapeDecoder) throws -> Int {
        guard let index = index(of: key, in: decoder) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return index
    }

    @inline(__always) // each decode(_:forKey:) then reads its own type directly, not through a generic call
    private func read<T: TapeScalar>(_ type: T.Type, _ key: Key) throws -> T {
        try withDecoder { decoder in
            try decoder.read(type, at: try require(key, in: decoder)) { codingPath + [key] }
        }
    }

    func contains(_ key: Key) -> Bool { withDecoder { index(of: key, in: $0) != nil } }

    func decodeNil(forKey key: Key) throws -> Bool {
        try withDecoder { decoder in decoder.span(at: try require(key, in: decoder)).isNull }
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try read(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try read(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try read(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try read(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try read(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try read(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try read(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try read(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try read(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try read(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try read(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try read(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try read(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try read(type, key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try withDecoder { decoder in
            try decoder.decodeChild(type, at: try require(key, in: decoder), key: key,
                                    base: keptPath.map(decoder.path))
        }
    }

    // One lookup instead of the default's three (contains, decodeNil, decode).
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try withDecoder { decoder in
            guard let index = index(of: key, in: decoder), !decoder.span(at: index).isNull else { return nil }
            return try decoder.read(type, at: index) { codingPath + [key] }
        }
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try withDecoder { decoder in
            guard let index = index(of: key, in: decoder), !decoder.span(at: index).isNull else { return nil }
            return try decoder.decodeChild(type, at: index, key: key, base: keptPath.map(decoder.path))
        }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                               forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let decoder = decoder
        let index = try require(key, in: decoder)
        let path = codingPath + [key]
        try decoder.requireKind(.object, [String: Any].self, at: index, path: path)
        return KeyedDecodingContainer(TapeKeyedContainer<NestedKey>(decoder: decoder, object: index, ownPath: path))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let decoder = decoder
        let index = try require(key, in: decoder)
        let path = codingPath + [key]
        try decoder.requireKind(.array, [Any].self, at: index, path: path)
        return TapeUnkeyedContainer(decoder: decoder, array: index, ownPath: path)
    }

    func superDecoder() throws -> any Decoder {
        try superDecoder(named: TapeCodingKey(stringValue: "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try superDecoder(named: key)
    }

    /// A missing key gives a decoder over null, as in Foundation.
    private func superDecoder(named key: any CodingKey) throws -> any Decoder {
        let index = decoder.memberIndex(of: key, in: object)
        return decoder.superDecoder(at: index ?? TapeDecoder.absent, path: codingPath + [key])
    }
}
