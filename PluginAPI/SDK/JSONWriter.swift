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
        /// The entry being written now: the coding path's key at this level.
        var current: Entry = .none
    }

    /// What a container is writing, as the coding path names it. Trivially
    /// copied (set and cleared for every member): a key is kept as its type
    /// and bits when it is a trivial value, a `CodingKeys` case, and in
    /// ``memberKeys`` otherwise.
    enum Entry {
        case none
        /// A member whose key is a trivial value (``trivialKeyBits(of:)``).
        case trivialMember(any CodingKey.Type, UInt64)
        /// A member whose key ``memberKeys`` holds at the frame's depth.
        case keptMember
        /// An array's element, named by its index only when a path is asked for.
        case element(Int)
    }

    let userInfo: [CodingUserInfoKey: Any]
    // Written for every member of every value; the writer encodes one value
    // at a time and no access overlaps another, so the stored properties
    // skip the runtime's exclusivity bookkeeping (`@exclusivity(unchecked)`).
    /// The value's JSON text so far (the writer's own buffer: an append checks only its capacity).
    @exclusivity(unchecked) private(set) var output = JSONOutputBuffer(capacity: 256)
    @exclusivity(unchecked) private var frames: [Frame] = []
    /// The key of the member written at each depth whose entry is ``Entry/keptMember``.
    @exclusivity(unchecked) private var memberKeys: [(any CodingKey)?] = []
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
    @exclusivity(unchecked) private var topContainer: KeptContainer?
    @exclusivity(unchecked) private var topContainerKey: ObjectIdentifier?
    /// The key written at each member position of the top-level object, by
    /// type and bytes (``trivialKeyBits(of:)``), and its text (quoted, with
    /// the colon) in ``writtenKeyText``: values of one type write the same
    /// keys in the same places, copied from here instead of quoted again.
    @exclusivity(unchecked) private var writtenKeys: [WrittenKey] = []
    @exclusivity(unchecked) private var writtenKeyText = JSONOutputBuffer(capacity: 256)

    /// A key ``writtenKeys`` remembers.
    private struct WrittenKey {
        let type: ObjectIdentifier
        let bits: UInt64
        /// Where its text is in ``writtenKeyText``.
        let text: Range<Int>
    }

    /// Remembered key text past this many bytes is forgotten (values of
    /// ever-changing keys would grow it without end).
    private static let writtenKeyTextLimit = 4096

    init(userInfo: [CodingUserInfoKey: any Sendable]) {
        self.userInfo = userInfo
        // Room for a typical record, so a first value does not regrow the buffers.
        frames.reserveCapacity(4)
    }

    func encodeTopLevel<T: Encodable>(_ value: T) throws {
        output.removeAll()
        frames.removeAll(keepingCapacity: true)
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
            appendText(unsafeBitCast(value, to: Decimal.self).description)
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
    func write<T: Encodable, Key: CodingKey>(_ value: T, key: Key, intoContainerAt depth: Int) throws {
        try prepareEntry(key: key, depth: depth)
        owed = true
        defer { leaveEntry(depth) }
        try write(value)
    }

    /// The coding path: the entry each open container is writing. Built
    /// when asked (errors, an `encode(to:)` that reads it), not kept as an
    /// array that every member would push to and pop.
    var codingPath: [any CodingKey] {
        frames.indices.compactMap { depth -> (any CodingKey)? in
            switch frames[depth].current {
            case .none: nil
            case .trivialMember(let type, let bits): Self.key(type, bits)
            case .keptMember: memberKeys[depth]
            case .element(let index): TapeCodingKey(intValue: index)
            }
        }
    }

    /// The key of `type` whose trivial bits are `bits`.
    private static func key(_ type: any CodingKey.Type, _ bits: UInt64) -> any CodingKey {
        func rebuild<Key: CodingKey>(_ type: Key.Type) -> any CodingKey { keyFromTrivialBits(bits, as: type) }
        return rebuild(type)
    }

    /// Keeps `key`, a member's at `depth` that is not a trivial value, for the coding path.
    private func keep(_ key: some CodingKey, at depth: Int) {
        if memberKeys.count <= depth { memberKeys.append(contentsOf: repeatElement(nil, count: depth + 1 - memberKeys.count)) }
        memberKeys[depth] = key
        frames[depth].current = .keptMember
    }

    /// The entry of the container at `depth` is written: the path no longer names it.
    private func leaveEntry(_ depth: Int) {
        if depth < frames.count { frames[depth].current = .none }
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
    func prepareEntry<Key: CodingKey>(key: Key, depth: Int) throws {
        fillOwed()
        guard depth < frames.count else {
            throw EncodingError.invalidValue(key.stringValue, EncodingError.Context(
                codingPath: codingPath + [key], debugDescription: "A container was written after its parent moved on."))
        }
        close(downTo: depth + 1)
        let position = frames[depth].count
        if position > 0 { output.append(UInt8(ascii: ",")) }
        frames[depth].count = position + 1
        guard frames[depth].isObject else {
            frames[depth].current = .element(position)
            return
        }
        let bits = trivialKeyBits(of: key)
        if let bits { frames[depth].current = .trivialMember(Key.self, bits) } else { keep(key, at: depth) }
        guard depth == 0, let bits else {
            appendKey(key)
            return
        }
        if position < writtenKeys.count, writtenKeys[position].type == ObjectIdentifier(Key.self),
           writtenKeys[position].bits == bits {
            let text = writtenKeys[position].text
            writtenKeyText.withUnsafeBytes { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[text])) }
            return
        }
        let start = output.count
        appendKey(key)
        remember(type: ObjectIdentifier(Key.self), bits: bits, at: position, textFrom: start)
    }

    /// The key quoted, and the colon.
    private func appendKey(_ key: some CodingKey) {
        JSONText.appendQuoted(key.stringValue, to: &output)
        output.append(UInt8(ascii: ":"))
    }

    /// Notes the key of `type` and `bits` at `position` of the top-level
    /// object, its text being what ``output`` holds from `start` on.
    private func remember(type: ObjectIdentifier, bits: UInt64, at position: Int, textFrom start: Int) {
        if writtenKeyText.count > Self.writtenKeyTextLimit {
            writtenKeys.removeAll(keepingCapacity: true)
            writtenKeyText.removeAll()
        }
        guard position <= writtenKeys.count else { return } // positions are remembered in order
        let textStart = writtenKeyText.count
        output.withUnsafeBytes { writtenKeyText.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[start...])) }
        let remembered = WrittenKey(type: type, bits: bits, text: textStart..<writtenKeyText.count)
        if position == writtenKeys.count { writtenKeys.append(remembered) } else { writtenKeys[position] = remembered }
    }

    /// Opens an object or array as the member `key` of the container at
    /// `depth` (`nestedContainer`); answers its depth. The protocol's
    /// methods cannot throw: a misuse shows as `null` entries (see ``prepareEntry(key:depth:)``).
    func openNested(isObject: Bool, key: some CodingKey, inContainerAt depth: Int) -> Int {
        do { try prepareEntry(key: key, depth: depth) } catch { return frames.count } // a closed parent: writes go nowhere valid
        // As in Foundation's encoder, a nested container's members' paths leave its own key out.
        leaveEntry(depth)
        owed = true
        return openContainer(isObject: isObject)
    }

    /// `superEncoder`: the member `key` of the container at `depth` is owed,
    /// and this writer encodes it (`{}` when nothing is encoded before the
    /// parent writes again).
    func superEncoder(key: some CodingKey, inContainerAt depth: Int) -> any Encoder {
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

    private func appendLiteral(_ text: StaticString) {
        output.append(utf8: text)
        owed = false
    }

    private func appendText(_ text: String) {
        var text = text
        text.withUTF8 { output.append(contentsOf: UnsafeRawBufferPointer($0)) }
        owed = false
    }

    private func appendFloatingPoint<Value: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Value) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: codingPath, debugDescription: "Unable to encode \(Value.self).\(value) directly in JSON."))
        }
        appendText(value.description)
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
        // Depth 0 is the top-level value's object, whose path is empty.
        guard depth == 0 else {
            return KeyedEncodingContainer(JSONWriterKeyedContainer<Key>(writer: self, depth: depth, codingPath: codingPath))
        }
        if let topContainer, topContainerKey == ObjectIdentifier(Key.self) {
            // Same key type, so it holds a `KeyedEncodingContainer<Key>`.
            return topContainer.container(as: KeyedEncodingContainer<Key>.self)
        }
        let made = KeyedEncodingContainer(JSONWriterKeyedContainer<Key>(writer: self, depth: 0, codingPath: []))
        topContainer = KeptContainer(made)
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
        if let signed = Int64(exactly: value) { try write(signed) } else { appendText(String(value)) }
    }
}
