/// An object being written by a ``JSONWriter``.
struct JSONWriterKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONWriter
    /// The object's place in the writer's stack of open containers.
    let depth: Int
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { try writer.write(JSONNull(), key: key, intoContainerAt: depth) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try writer.write(value, key: key, intoContainerAt: depth)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                       forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = writer.openNested(isObject: true, key: key, inContainerAt: depth)
        return KeyedEncodingContainer(JSONWriterKeyedContainer<NestedKey>(writer: writer, depth: nested,
                                                                          codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = writer.openNested(isObject: false, key: key, inContainerAt: depth)
        return JSONWriterUnkeyedContainer(writer: writer, depth: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        writer.superEncoder(key: TapeCodingKey(stringValue: "super"), inContainerAt: depth)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        writer.superEncoder(key: key, inContainerAt: depth)
    }
}

/// An array being written by a ``JSONWriter``.
struct JSONWriterUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: JSONWriter
    let depth: Int
    let codingPath: [any CodingKey]
    private(set) var count = 0

    init(writer: JSONWriter, depth: Int, codingPath: [any CodingKey]) {
        self.writer = writer
        self.depth = depth
        self.codingPath = codingPath
    }

    /// The key of the next element.
    private mutating func nextKey() -> TapeCodingKey {
        defer { count += 1 }
        return TapeCodingKey(intValue: count)
    }

    mutating func encodeNil() throws { try writer.write(JSONNull(), key: nextKey(), intoContainerAt: depth) }
    mutating func encode<T: Encodable>(_ value: T) throws { try writer.write(value, key: nextKey(), intoContainerAt: depth) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = nextKey()
        let nested = writer.openNested(isObject: true, key: key, inContainerAt: depth)
        return KeyedEncodingContainer(JSONWriterKeyedContainer<NestedKey>(writer: writer, depth: nested,
                                                                          codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = nextKey()
        let nested = writer.openNested(isObject: false, key: key, inContainerAt: depth)
        return JSONWriterUnkeyedContainer(writer: writer, depth: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        writer.superEncoder(key: nextKey(), inContainerAt: depth)
    }
}

/// `null`, written through the same path as every other value.
struct JSONNull: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}
