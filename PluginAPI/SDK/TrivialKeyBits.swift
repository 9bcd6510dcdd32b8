/// The bytes of `key` when its type is trivial (no references, so equal
/// bytes are an equal value: a `CodingKeys` enum is one byte, or none) and
/// one, two, four or eight bytes long (or empty); nil otherwise.
///
/// The typed coders remember what they found or wrote for a key at each
/// member position of the top-level object; the same type with the same
/// bits there again is the same key, known without asking for its string
/// (a call through the protocol, and a string to release).
@inline(__always)
func trivialKeyBits<Key>(of key: Key) -> UInt64? {
    guard _isPOD(Key.self) else { return nil }
    // Sizes known only at run time: `withUnsafeBytes(of:)` is a generic call per field here.
    switch MemoryLayout<Key>.size {
    case 0: return 0
    case 1: return UInt64(unsafeBitCast(key, to: UInt8.self))
    case 2: return UInt64(unsafeBitCast(key, to: UInt16.self))
    case 4: return UInt64(unsafeBitCast(key, to: UInt32.self))
    case 8: return unsafeBitCast(key, to: UInt64.self)
    default: return nil
    }
}

/// The key of type `Key` whose ``trivialKeyBits(of:)`` are `bits`: the
/// encoder keeps a member's key as its type and bits (no reference counting)
/// and rebuilds it only when a coding path is asked for.
func keyFromTrivialBits<Key>(_ bits: UInt64, as _: Key.Type) -> Key {
    switch MemoryLayout<Key>.size {
    case 0: return unsafeBitCast((), to: Key.self)
    case 1: return unsafeBitCast(UInt8(truncatingIfNeeded: bits), to: Key.self)
    case 2: return unsafeBitCast(UInt16(truncatingIfNeeded: bits), to: Key.self)
    case 4: return unsafeBitCast(UInt32(truncatingIfNeeded: bits), to: Key.self)
    case 8: return unsafeBitCast(bits, to: Key.self)
    default: preconditionFailure("\(Key.self) has no trivial bits")
    }
}
