/// Where a ``Record``'s key lives: an array of its own, or a slice of its
/// batch's key buffer. Not nested in the generic `Record`: a nested type would
/// be generic too, and the SDK's generic per-record code would then look up
/// its metadata for every record.
@usableFromInline
enum RecordKeyStorage: Sendable {
    case owned([UInt8]?)
    case batch(BatchKeys, Range<Int>)
}
