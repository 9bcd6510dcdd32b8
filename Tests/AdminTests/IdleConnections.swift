import Foundation
import SluiceHost
#if canImport(Glibc)
import Glibc
#endif

/// Connections that open and then send nothing (or only part of a request
/// head), as a client exhausting the server's descriptors would. Closed when
/// dropped.
final class IdleConnections: @unchecked Sendable {
    // @unchecked: owned by one test; `closed` is only touched by the test's task.
    private let sockets: [Int32]
    private var closed: Set<Int32> = []

    private init(sockets: [Int32]) {
        self.sockets = sockets
    }

    deinit { for socket in sockets { close(socket) } }

    /// Opens `count` connections to 127.0.0.1:`port`, each sending `prefix` (if any) and then nothing.
    static func open(_ count: Int, port: Int, sending prefix: String = "") async throws -> IdleConnections {
        let sockets = try await DedicatedThread.run("idle-connections") { () throws -> [Int32] in
            var sockets: [Int32] = []
            do {
                for _ in 0..<count {
                    let socket = try RawHTTP.connect(port: port, receiveTimeout: 30)
                    sockets.append(socket)
                    if !prefix.isEmpty { try RawHTTP.write(socket, Data(prefix.utf8)) }
                }
            } catch {
                for socket in sockets { close(socket) }
                throw error
            }
            return sockets
        }
        return IdleConnections(sockets: sockets)
    }

    /// How many of them the server has closed so far (end of stream or reset),
    /// reading whatever it answered first. Never waits.
    func closedByServer() -> Int {
        var buffer = [UInt8](repeating: 0, count: 4096)
        for socket in sockets where !closed.contains(socket) {
            while true {
                let count = recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count > 0 { continue }
                if count == 0 || errno == ECONNRESET { closed.insert(socket) }
                break
            }
        }
        return closed.count
    }

    /// How many were opened.
    var count: Int { sockets.count }
}
