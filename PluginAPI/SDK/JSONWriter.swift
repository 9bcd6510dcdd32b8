import Foundation
import SluicePluginKit

/// The `Encoder` behind ``RecordEncoder``: appends JSON to ``output`` as
/// values arrive, keeping a stack of the open objects and arrays.
///
/// A value is "owed" at a position where JSON needs one (the top level, after
/// a key, an array slot): the next container or single value fills it; a
/// value that encodes nothing is written as `{}`, as Foundation does.
final class JSONWriter: Encoder, SingleValueEncodingContainer {
    /// One open object or array.
    struct Frame {
        let isObject: Bool
        var count = 0
    }

    let userInfo: [CodingUserInfoKey: Any]
    // Written for every member of every value; the writer encodes one value
    // at a time and no access overlaps another, so the stored properties
    // skip the runtime's exclusivity bookkeeping (`@exclusivity(unchecked)`).
    @exclusivity(unchecked) var codingPath: [any CodingKey] = []
    @exclusivity(unchecked) private(set) var output: [UInt8] = []
    @exclusivity(unchecked) private var frames: [Frame] = []
    /// Whether the position being written needs a value.
    @exclusivity(unchecked) private var owed = false
    /// How many containers were open when the value being encoded started:
    /// its own container, once opened, is at this depth.
    @exclusivity(unchecked) private var valueDepth = 0
    /// The top-level object's keyed container, kept from value to value:
    /// `KeyedEncodingContainer` boxes its container on the heap, and every
    /// top-level object asks for the same one (this writer, depth 0, an
    /// empty path). Its key type's identity is ``topContainerKey``. It
    /// refers back to this writer: ``forgetKeptContainer()`` breaks the cycle.
    @exclusivity(unchecked) private var topContainer: AnyObject?
    @exclusivity(unchecked) private var topContainerKey: ObjectIdentifier?

    init(userInfo: [CodingUserInfoKey: any Sendable]) {
        self.userInfo = userInfo
        // Room for a typical record, so a first value does not regrow the buffers.
        output.reserveCapacity(256)
        frames.reserveCapacity(4)
        codingPath.reserveCapacity(4)
    }

    func encodeTopLevel<T: Encodable>(_ value: T) throws {
        output.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        codingPath.removeAll(keepingCapacity: true)
        owed = true
        try write(value)
        fillOwed()
        close(downTo: 0)
    }

    /// Writes `value` where a value is owed, then closes the containers it opened.
    private func write<T: Encodable>(_ value: T) throws {
        let depth = frames.count
        let outerValueDepth = valueDepth
        valueDepth = depth
        defer { valueDepth = outerValueDepth }
        // Metatype comparisons, not `as?` casts: a failed cast costs a runtime lookup per value.
        // Once the types are known equal, `unsafeBitCast` reads the value as what it is;
        // `as!` would still ask the runtime to cast it.
        if T.self == String.self {
            JSONText.appendQuoted(unsafeBitCast(value, to: String.self), to: &output)
            owed = false
        } else if T.self == Int.self {
            NumberText.appendDecimal(Int64(unsafeBitCast(value, to: Int.self)), to: &output)
            owed = false
        } else if T.self == Int64.self {
            NumberText.appendDecimal(unsafeBitCast(value, to: Int64.self), to: &output)
            owed = false
        } else if T.self == Double.self {
            try appendFloatingPoint(unsafeBitCast(value, to: Double.self))
        } else if T.self == Bool.self {
            appendLiteral(unsafeBitCast(value, to: Bool.self) ? "true" : "false")
        } else if T.self == Float.self {
            try appendFloatingPoint(unsafeBitCast(value, to: Float.self))
        } else if T.self == Decimal.self {
            appendLiteral(unsafeBitCast(value, to: Decimal.self).description)
        } else if T.self == URL.self {
            JSONText.appendQuoted(unsafeBitCast(value, to: URL.self).absoluteString, to: &output)
            owed = false
        } else if T.self == Data.self {
            JSONText.appendQuoted(unsafeBitCast(value, to: Data.self).base64EncodedString(), to: &output)
            owed = false
        } else {
            try value.encode(to: self)
        }
        fillOwed()
        close(downTo: depth)
    }

    /// Writes `value` as the member or element named `key` of the container at `depth`.
    func write<T: Encodable>(_ value: T, key: any CodingKey, intoContainerAt depth: Int) throws {
        try prepareEntry(key: key, depth: depth)
        owed = true
        codingPath.append(key)
        defer { codingPath.removeLast() }
        try write(value)
    }

    /// Opens a container for the owed value; answers its depth.
    func openContainer(isObject: Bool) -> Int {
        if !owed, valueDepth < frames.count, frames[valueDepth].isObject == isObject {
            return valueDepth // asked again by the same value: the same container
        }
        owed = false
        output.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        frames.append(Frame(isObject: isObject))
        return frames.count - 1
    }

    /// Gets the container at `depth` ready for its next entry: deeper
    /// containers finished and closed, a comma, and the key of an object member.
    func prepareEntry(key: any CodingKey, depth: Int) throws {
        fillOwed()
        guard depth < frames.count else {
            throw EncodingError.invalidValue(key.stringValue, EncodingError.Context(
                codingPath: codingPath + [key], debugDescription: "A container was written after its parent moved on."))
        }
        close(downTo: depth + 1)
        if frames[depth].count > 0 { output.append(UInt8(ascii: ",")) }
        frames[depth].count += 1
        if frames[depth].isObject {
            JSONText.appendQuoted(key.stringValue, to: &output)
            output.append(UInt8(ascii: ":"))
        }
    }

    /// Opens an object or array as the member `key` of the container at
    /// `depth` (`nestedContainer`); answers its depth. The protocol's
    /// methods cannot throw: a misuse shows as `null` entries (see ``prepareEntry(key:depth:)``).
    func openNested(isObject: Bool, key: any CodingKey, inContainerAt depth: Int) -> Int {
        do { try prepareEntry(key: key, depth: depth) } catch { return frames.count } // a closed parent: writes go nowhere valid
        owed = true
        return openContainer(isObject: isObject)
    }

    /// `superEncoder`: the member `key` of the container at `depth` is owed,
    /// and this writer encodes it (`{}` when nothing is encoded before the
    /// parent writes again).
    func superEncoder(key: any CodingKey, inContainerAt depth: Int) -> any Encoder {
        do { try prepareEntry(key: key, depth: depth) } catch { return self }
        owed = true
        valueDepth = frames.count
        return self
    }

    /// A value owed by an `encode(to:)` that encoded nothing.
    private func fillOwed() {
        guard owed else { return }
        output.append(UInt8(ascii: "{"))
        output.append(UInt8(ascii: "}"))
        owed = false
    }

    /// Closes open containers until `depth` remain.
    private func close(downTo depth: Int) {
        while frames.count > depth {
            output.append(frames.removeLast().isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    private func appendLiteral(_ text: String) {
        output.append(contentsOf: text.utf8)
        owed = false
    }

    private func appendFloatingPoint<Value: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Value) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: codingPath, debugDescription: "Unable to encode \(Value.self).\(value) directly in JSON."))
        }
        appendLiteral(value.description)
    }

    /// The single value owed here, or an error when it was written already.
    private func requireOwed() throws {
        guard owed else {
            throw EncodingError.invalidValue((), EncodingError.Context(
                codingPath: codingPath, debugDescription: "A single value was encoded twice, or after a container."))
        }
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let depth = openContainer(isObject: true)
        guard depth == 0, codingPath.isEmpty else {
            return KeyedEncodingContainer(JSONWriterKeyedContainer<Key>(writer: self, depth: depth, codingPath: codingPath))
        }
        if let topContainer, topContainerKey == ObjectIdentifier(Key.self) {
            // Same key type, so the same `KeptEncodingContainer<Key>` that stored it.
            return unsafeDowncast(topContainer, to: KeptEncodingContainer<Key>.self).container
        }
        let made = KeyedEncodingContainer(JSONWriterKeyedContainer<Key>(writer: self, depth: 0, codingPath: []))
        topContainer = KeptEncodingContainer(made)
        topContainerKey = ObjectIdentifier(Key.self)
        return made
    }

    /// Drops the kept top-level container (and the reference cycle through
    /// it); ``RecordEncoder`` calls it when it goes away.
    func forgetKeptContainer() {
        topContainer = nil
        topContainerKey = nil
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        JSONWriterUnkeyedContainer(writer: self, depth: openContainer(isObject: false), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    func encodeNil() throws { try requireOwed(); appendLiteral("null") }
    func encode(_ value: Bool) throws { try requireOwed(); try write(value) }
    func encode(_ value: String) throws { try requireOwed(); try write(value) }
    func encode(_ value: Double) throws { try requireOwed(); try write(value) }
    func encode(_ value: Float) throws { try requireOwed(); try write(value) }
    func encode(_ value: Int) throws { try requireOwed(); try write(value) }
    func encode(_ value: Int8) throws { try requireOwed(); try write(Int64(value)) }
    func encode(_ value: Int16) throws { try requireOwed(); try write(Int64(value)) }
    func encode(_ value: Int32) throws { try requireOwed(); try write(Int64(value)) }
    func encode(_ value: Int64) throws { try requireOwed(); try write(value) }
    func encode(_ value: UInt) throws { try requireOwed(); try encodeUnsigned(UInt64(value)) }
    func encode(_ value: UInt8) throws { try requireOwed(); try write(Int64(value)) }
    func encode(_ value: UInt16) throws { try requireOwed(); try write(Int64(value)) }
    func encode(_ value: UInt32) throws { try requireOwed(); try write(Int64(value)) }
    func encode(_ value: UInt64) throws { try requireOwed(); try encodeUnsigned(value) }
    func encode<T: Encodable>(_ value: T) throws { try requireOwed(); try write(value) }

    private func encodeUnsigned(_ value: UInt64) throws {
        if let signed = Int64(exactly: value) { try write(signed) } else { appendLiteral(String(value)) }
    }
}

/// Holds a keyed container of a type known only to generic code, so
/// ``JSONWriter`` can keep one between values.
private final class KeptEncodingContainer<Key: CodingKey> {
    let container: KeyedEncodingContainer<Key>
    init(_ container: KeyedEncodingContainer<Key>) { self.container = container }
}
