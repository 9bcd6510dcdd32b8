import CSluicePlugin

/// A validated plugin descriptor inside a mapped image.
///
/// The pointer stays valid for the life of the process because plugin images
/// are never unloaded; that is what makes the `@unchecked Sendable` sound (the
/// descriptor is static data the host only reads).
public struct PluginDescriptorReference: @unchecked Sendable {
    /// The descriptor as the entry function returned it.
    public let pointer: UnsafePointer<sluice_plugin_descriptor>

    /// Wraps a descriptor pointer returned by an entry function.
    public init(pointer: UnsafePointer<sluice_plugin_descriptor>) {
        self.pointer = pointer
    }

    /// `struct_size` as the plugin was compiled.
    public var structSize: Int {
        Int(UnsafeRawPointer(pointer).load(fromByteOffset: 4, as: UInt32.self))
    }

    /// Reads one member, or nil when the plugin's descriptor is too old to have it.
    ///
    /// Reading member by member (never `pointee`) keeps a host built against a
    /// newer minor header from reading past the end of an older plugin's descriptor.
    public func member<Value>(_ keyPath: KeyPath<sluice_plugin_descriptor, Value>) -> Value? {
        guard let offset = MemoryLayout<sluice_plugin_descriptor>.offset(of: keyPath),
              offset + MemoryLayout<Value>.size <= structSize else { return nil }
        return UnsafeRawPointer(pointer).load(fromByteOffset: offset, as: Value.self)
    }

    /// The size of an ABI 1.0 descriptor: every member through `destroy`.
    public static var v1_0Size: Int {
        MemoryLayout<sluice_plugin_descriptor>.offset(of: \sluice_plugin_descriptor.destroy)!
            + MemoryLayout<UnsafeRawPointer>.size
    }
}
