import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection that has not sent a complete request head within
/// `timeout` of opening (with a 408 in JSON, for a client that is merely slow).
///
/// Without it a client could open connections and trickle header bytes
/// forever, each holding a file descriptor of the host. NIO's
/// `IdleStateHandler` and Hummingbird's idle timeout restart or wait on
/// activity, which a trickle provides; this is a deadline from the start.
final class RequestHeadDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var headReceived = false

    /// A deadline of `timeout` for the first request head.
    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            headReceived = true
            disarm()
        }
        context.fireChannelRead(data)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard deadline == nil, !headReceived else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            deadline = nil
            guard !headReceived else { return }
            let milliseconds = timeout.nanoseconds / 1_000_000
            let within = milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
            let message = "no complete request head within \(within): closing the connection"
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.connection] = "close"
            let body = AdminErrorBody.buffer(message)
            headers[.contentLength] = "\(body.readableBytes)"
            context.write(wrapOutboundOut(.head(HTTPResponse(status: .requestTimeout, headerFields: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
