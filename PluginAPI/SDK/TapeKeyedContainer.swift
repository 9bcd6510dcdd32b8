import SluicePluginKit

/// A JSON object read through a ``TapeDecoder``.
struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder
    /// The object's tape index.
    let object: Int
    /// The container's path when it is not the decoder's current one (a
    /// nested container); nil: the decoder's path, which is the container's
    /// own whenever the container is used.
    let ownPath: [any CodingKey]?

    var codingPath: [any CodingKey] { ownPath ?? decoder.codingPath }

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
    private func index(of key: Key) -> Int? {
        decoder.memberIndex(of: key, in: object)
    }

    private func require(_ key: Key) throws -> Int {
        guard let index = index(of: key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return index
    }

    @inline(__always) // each decode(_:forKey:) then reads its own type directly, not through a generic call
    private func read<T: TapeScalar>(_ type: T.Type, _ key: Key) throws -> T {
        try decoder.read(type, at: try require(key)) { codingPath + [key] }
    }

    func contains(_ key: Key) -> Bool { index(of: key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { decoder.span(at: try require(key)).isNull }
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
        try decoder.decodeChild(type, at: try require(key), key: key, base: ownPath)
    }

    // One lookup instead of the default's three (contains, decodeNil, decode).
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let index = index(of: key), !decoder.span(at: index).isNull else { return nil }
        return try decoder.read(type, at: index) { codingPath + [key] }
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = index(of: key), !decoder.span(at: index).isNull else { return nil }
        return try decoder.decodeChild(type, at: index, key: key, base: ownPath)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                               forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let index = try require(key)
        let path = codingPath + [key]
        try decoder.requireKind(.object, [String: Any].self, at: index, path: path)
        return KeyedDecodingContainer(TapeKeyedContainer<NestedKey>(decoder: decoder, object: index, ownPath: path))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let index = try require(key)
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
