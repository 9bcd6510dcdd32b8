import CIsolation
#if canImport(Glibc)
import Glibc
#endif

/// A memory file (`memfd`) mapped shared by the host and one runner: the host
/// writes batches into it, the runner reads their records and writes their
/// results in place. One copy per batch, no system call per record.
public final class SharedRegion: @unchecked Sendable {
    // @unchecked: the mapping is fixed for the region's life; who writes which
    // bytes when is the protocol's business (a batch's bytes belong to the host
    // until it sends the batch, then to the runner until the batch is done).
    /// The memory file.
    public let descriptor: Int32
    /// Where it is mapped in this process.
    public let base: UnsafeMutableRawPointer
    /// Its size in bytes.
    public let size: Int

    /// A new memory file of `size` bytes, mapped (its pages are only touched as batches use them).
    public init(creatingSize size: Int, name: String) throws(WireError) {
        let descriptor = sluice_isolation_memfd(name)
        guard descriptor >= 0 else { throw WireError("memfd_create failed: \(String(cString: strerror(errno)))") }
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = Glibc.close(descriptor)
            throw WireError("ftruncate of the shared region to \(size) bytes failed: \(reason)")
        }
        do throws(WireError) {
            base = try Self.map(descriptor, size: size)
        } catch {
            _ = Glibc.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        self.size = size
    }

    /// Maps a memory file the host passed (the runner's side).
    public init(mapping descriptor: Int32) throws(WireError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else {
            throw WireError("the shared region (descriptor \(descriptor)) cannot be read")
        }
        size = Int(status.st_size)
        base = try Self.map(descriptor, size: size)
        self.descriptor = descriptor
    }

    private static func map(_ descriptor: Int32, size: Int) throws(WireError) -> UnsafeMutableRawPointer {
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw WireError("mmap of the shared region failed: \(String(cString: strerror(errno)))")
        }
        return address
    }

    deinit {
        munmap(base, size)
        _ = Glibc.close(descriptor)
    }

    /// `count` bytes at `offset`.
    public func bytes(at offset: Int, count: Int) -> UnsafeMutableRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= size - count else { return nil }
        return UnsafeMutableRawBufferPointer(start: base + offset, count: count)
    }
}
