/// A `KeyedDecodingContainer` of a key type known only to generic code, kept
/// by ``TapeDecoder`` from record to record.
///
/// It holds the container in raw storage rather than as a stored property of
/// a generic class: reading a generic class's property looks up the class's
/// metadata for its key type first, and the top-level container is read once
/// per record. Reading it here costs only the container type's own lookup.
final class KeptKeyedContainer {
    private let storage: UnsafeMutableRawPointer
    /// Deinitializes and frees `storage`, knowing the key type.
    private let release: (UnsafeMutableRawPointer) -> Void

    init<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>) {
        let typed = UnsafeMutablePointer<KeyedDecodingContainer<Key>>.allocate(capacity: 1)
        typed.initialize(to: container)
        storage = UnsafeMutableRawPointer(typed)
        release = { raw in
            let typed = raw.assumingMemoryBound(to: KeyedDecodingContainer<Key>.self)
            typed.deinitialize(count: 1)
            typed.deallocate()
        }
    }

    deinit { release(storage) }

    /// The container; `Key` must be the key type it was made with.
    func container<Key: CodingKey>(keyedBy _: Key.Type) -> KeyedDecodingContainer<Key> {
        storage.assumingMemoryBound(to: KeyedDecodingContainer<Key>.self).pointee
    }
}
