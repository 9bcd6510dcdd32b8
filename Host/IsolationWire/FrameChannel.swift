#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One frame as received: its kind, tag and payload.
public struct WireFrame: Sendable {
    /// What it carries.
    public let kind: WireFrameKind
    /// The request id or wire batch id it concerns.
    public let tag: UInt64
    /// The payload bytes.
    public let payload: [UInt8]
}

/// Frames over one end of a Unix stream socket pair: any thread may send
/// (a lock keeps frames whole), one thread receives. Both block, so they run
/// on threads their owners start for it, never on a cooperative thread.
public final class FrameChannel: Sendable {
    /// The socket.
    public let descriptor: Int32
    private let sendLock = Mutex(())
    /// The most bytes one frame may carry: a larger length means a broken peer.
    public static let maximumPayload = 1 << 30
    static let headerSize = 13

    /// Takes over `descriptor` (closed by ``close()``).
    public init(descriptor: Int32) { self.descriptor = descriptor }

    /// Sends one frame; false once the peer is gone.
    @discardableResult
    public func send(_ kind: WireFrameKind, tag: UInt64, _ payload: UnsafeRawBufferPointer) -> Bool {
        var header = WireWriter(capacity: Self.headerSize)
        header.u32(UInt32(payload.count))
        header.u8(kind.rawValue)
        header.u64(tag)
        return sendLock.withLock { _ in
            header.bytes.withUnsafeBytes { head in
                writeAll(head) && (payload.isEmpty || writeAll(payload))
            }
        }
    }

    /// Sends one frame; false once the peer is gone.
    @discardableResult
    public func send(_ kind: WireFrameKind, tag: UInt64, _ payload: [UInt8] = []) -> Bool {
        payload.withUnsafeBytes { send(kind, tag: tag, $0) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let written = Glibc.send(descriptor, bytes.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL))
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += written
        }
        return true
    }

    /// The next frame; nil once the peer closed its end (or the frame is broken).
    public func receive() -> WireFrame? {
        var header = [UInt8](repeating: 0, count: Self.headerSize)
        guard header.withUnsafeMutableBytes({ readAll($0) }) else { return nil }
        let (length, kindByte, tag) = header.withUnsafeBytes { raw -> (Int, UInt8, UInt64) in
            var reader = WireReader(raw)
            return (Int((try? reader.u32()) ?? 0), (try? reader.u8()) ?? 0, (try? reader.u64()) ?? 0)
        }
        guard let kind = WireFrameKind(rawValue: kindByte), length <= Self.maximumPayload else { return nil }
        var payload = [UInt8](repeating: 0, count: length)
        guard length == 0 || payload.withUnsafeMutableBytes({ readAll($0) }) else { return nil }
        return WireFrame(kind: kind, tag: tag, payload: payload)
    }

    private func readAll(_ bytes: UnsafeMutableRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = recv(descriptor, bytes.baseAddress! + done, bytes.count - done, 0)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return false }
            done += count
        }
        return true
    }

    /// Shuts both directions down, so a blocked receive returns nil.
    public func shutdownBoth() { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }

    /// Closes the socket.
    public func close() { _ = Glibc.close(descriptor) }
}
