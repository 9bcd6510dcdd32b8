/// A coding container of a type known only to generic code (a
/// `KeyedDecodingContainer<Key>`, a `KeyedEncodingContainer<Key>`), kept by
/// the typed coders from value to value: the standard library boxes a keyed
/// container on the heap, and the top level asks for one per record.
///
/// It holds the container in raw storage rather than as a stored property of
/// a generic class: reading a generic class's property looks up the class's
/// metadata for its key type first, and the top-level container is read once
/// per record. Reading it here costs only the container type's own lookup.
final class KeptContainer {
    private let storage: UnsafeMutableRawPointer
    /// Deinitializes and frees `storage`, knowing the container's type.
    private let release: (UnsafeMutableRawPointer) -> Void

    init<Container>(_ container: Container) {
        let typed = UnsafeMutablePointer<Container>.allocate(capacity: 1)
        typed.initialize(to: container)
        storage = UnsafeMutableRawPointer(typed)
        release = { raw in
            let typed = raw.assumingMemoryBound(to: Container.self)
            typed.deinitialize(count: 1)
            typed.deallocate()
        }
    }

    deinit { release(storage) }

    /// The container; `Container` must be the type it was made with.
    func container<Container>(as _: Container.Type) -> Container {
        storage.assumingMemoryBound(to: Container.self).pointee
    }
}
