/// A JSON array read through a ``TapeDecoder``, element by element.
struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TapeDecoder
    /// The container's path when it is not the decoder's current one (see ``TapeKeyedContainer``).
    let ownPath: [any CodingKey]?
    let count: Int?
    private(set) var currentIndex = 0
    /// The tape index of the next element.
    private var cursor: Int

    init(decoder: TapeDecoder, array: Int, ownPath: [any CodingKey]?) {
        self.decoder = decoder
        self.ownPath = ownPath
        decoder.requireDecoding(array)
        count = decoder.entries[array].childCount
        cursor = array + 1
    }

    var codingPath: [any CodingKey] { ownPath ?? decoder.codingPath }
    var isAtEnd: Bool { currentIndex >= count! }

    /// The next element's tape index, or `valueNotFound` past the end.
    private func next(_ type: Any.Type) throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: codingPath + [TapeCodingKey(intValue: currentIndex)], debugDescription: "Unkeyed container is at end."))
        }
        return cursor
    }

    private mutating func advance() {
        decoder.requireDecoding(cursor)
        cursor = decoder.entries[cursor].next
        currentIndex += 1
    }

    @inline(__always) // as in the keyed container: each decode(_:) reads its own type directly
    private mutating func read<T: TapeScalar>(_ type: T.Type) throws -> T {
        let index = try next(type)
        let value = try decoder.read(type, at: index) { codingPath + [TapeCodingKey(intValue: currentIndex)] }
        advance()
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard decoder.span(at: try next(Any?.self)).isNull else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try read(type) }
    mutating func decode(_ type: String.Type) throws -> String { try read(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try read(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try read(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try read(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try read(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try read(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try read(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try read(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try read(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try read(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try read(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try read(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try read(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let index = try next(type)
        let value = try decoder.decodeChild(type, at: index, key: TapeCodingKey(intValue: currentIndex), base: ownPath)
        advance()
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let index = try next([String: Any].self)
        let path = codingPath + [TapeCodingKey(intValue: currentIndex)]
        try decoder.requireKind(.object, [String: Any].self, at: index, path: path)
        advance()
        return KeyedDecodingContainer(TapeKeyedContainer<NestedKey>(decoder: decoder, object: index, ownPath: path))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let index = try next([Any].self)
        let path = codingPath + [TapeCodingKey(intValue: currentIndex)]
        try decoder.requireKind(.array, [Any].self, at: index, path: path)
        advance()
        return TapeUnkeyedContainer(decoder: decoder, array: index, ownPath: path)
    }

    mutating func superDecoder() throws -> any Decoder {
        let index = try next((any Decoder).self)
        let path = codingPath + [TapeCodingKey(intValue: currentIndex)]
        advance()
        return decoder.superDecoder(at: index, path: path)
    }
}
