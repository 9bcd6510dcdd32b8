import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// HTTP/1.1 for the admin API: Hummingbird's `HTTP1Channel` behind a cap on
/// open connections. A connection over the cap is closed as soon as it is
/// accepted, so its descriptor is given back at once.
struct AdminHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    /// The channel every admitted connection gets.
    let http1: HTTP1Channel
    /// The cap, shared by every connection of the server.
    let limit: ConnectionLimit

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admission = limit.open()
        if case .refused(let firstRefusal) = admission, firstRefusal {
            logger.warning("admin API: connection limit reached; closing new connections until some finish", metadata: [
                "max_connections": .stringConvertible(limit.maximum),
                "remote": .string(channel.remoteAddress?.description ?? "unknown"),
            ])
        }
        if admission == .admitted {
            let limit = limit
            channel.closeFuture.whenComplete { _ in limit.close() }
        }
        // Failing the setup would surface on the listening channel; a set-up
        // channel that is closed at once just ends its handler.
        return http1.setup(channel: channel, logger: logger).map { value in
            if admission != .admitted { channel.close(mode: .all, promise: nil) }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
