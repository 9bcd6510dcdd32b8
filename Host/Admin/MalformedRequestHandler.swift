import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request the HTTP parser cannot read (a request head over the
/// decoder's limits, a malformed request line or header) with a JSON error
/// and closes the connection, where Hummingbird would send an empty 400.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The decoder's limit on the URL and on each header field, named in the 431.
    private let maxFieldBytes: Int
    /// The decoder's limit on the URL and all header fields together.
    private let maxHeadBytes: Int
    /// The decoder's limit on the number of header fields.
    private let maxFields: Int
    /// Requests whose head was read and whose answer is not finished.
    private var unanswered = 0

    /// A handler naming the decoder's limits in its messages.
    init(maxFieldBytes: Int, maxHeadBytes: Int, maxFields: Int) {
        self.maxFieldBytes = maxFieldBytes
        self.maxHeadBytes = maxHeadBytes
        self.maxFields = maxFields
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { unanswered += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { unanswered = max(0, unanswered - 1) }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // While a request is being answered, Hummingbird handles the error itself.
        guard let parseError = error as? HTTPParserError, unanswered == 0 else {
            context.fireErrorCaught(error)
            return
        }
        let (status, message) = answer(to: parseError)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.connection] = "close"
        let body = AdminErrorBody.buffer(message)
        headers[.contentLength] = "\(body.readableBytes)"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }

    private func answer(to error: HTTPParserError) -> (HTTPResponse.Status, String) {
        switch error {
        case .headerOverflow:
            (.requestHeaderFieldsTooLarge,
             "request head too large: the URL and each header field may have at most \(maxFieldBytes) bytes, "
                + "all of them together \(maxHeadBytes) bytes, and there may be at most \(maxFields) header fields")
        case .invalidURL:
            (.badRequest, "malformed request: invalid URL")
        default:
            (.badRequest, "malformed HTTP request: \(error)")
        }
    }
}
