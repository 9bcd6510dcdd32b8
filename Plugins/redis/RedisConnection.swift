import CHiredis
import Foundation

/// A connection that failed (refused, reset, timed out, AUTH/SELECT refused):
/// the batch is retried and the connection replaced. Never holds the password.
struct RedisConnectionFailure: Error, CustomStringConvertible {
    let description: String
}

/// What one command got back.
enum RedisReply {
    /// Any reply but an error.
    case success
    /// An error reply (`WRONGTYPE ...`, `ERR ...`), its text.
    case error(String)
}

/// One blocking hiredis connection, used by one thread at a time (the pool
/// hands it to one batch). Commands are encoded as RESP bulk strings
/// (``RESPEncoding``, length-prefixed), never through the variadic
/// `redisCommand`, so record bytes are sent as binary-safe arguments and never
/// pasted into command text.
final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects, sets the read/write timeout, then sends AUTH and SELECT as needed.
    init(url: RedisURL, password: String?, connectTimeoutMilliseconds: Int, timeoutMilliseconds: Int)
        throws(RedisConnectionFailure) {
        guard let context = redisConnectWithTimeout(url.host, Int32(url.port), Self.timeval(connectTimeoutMilliseconds)) else {
            throw RedisConnectionFailure(description: "cannot allocate a hiredis context")
        }
        self.context = context
        // deinit frees the context from here on, also when a step below throws.
        guard context.pointee.err == 0 else { throw failure("connect") }
        guard redisSetTimeout(context, Self.timeval(timeoutMilliseconds)) == REDIS_OK else { throw failure("set timeout") }
        _ = redisEnableKeepAlive(context)
        if let password {
            var arguments = [Array("AUTH".utf8)]
            if let user = url.user { arguments.append(Array(user.utf8)) }
            arguments.append(Array(password.utf8))
            if case .error(let text) = try call(arguments) {
                // The reply text is Redis's (e.g. WRONGPASS ...); it never echoes the password.
                throw RedisConnectionFailure(description: "AUTH refused: \(text)")
            }
        }
        if url.database != 0, case .error(let text) = try call([Array("SELECT".utf8), Array(String(url.database).utf8)]) {
            throw RedisConnectionFailure(description: "SELECT \(url.database) refused: \(text)")
        }
    }

    deinit { redisFree(context) }

    /// The wire bytes of the batch being appended, kept for the next batch's storage.
    private var wire: [UInt8] = []

    /// Appends every command of `buffer` to the output buffer (nothing is
    /// sent yet: the first ``nextReply()`` writes them all in one go). The
    /// commands are encoded here in one pass and handed over in one call:
    /// hiredis's own argv formatting goes through `sdscatfmt` per argument.
    func append(_ buffer: PipelineBuffer) throws(RedisConnectionFailure) {
        wire.removeAll(keepingCapacity: true)
        RESPEncoding.append(buffer, to: &wire)
        guard !wire.isEmpty else { return }
        let status = wire.withUnsafeBytes { wire in
            redisAppendFormattedCommand(context, wire.baseAddress!.assumingMemoryBound(to: CChar.self), wire.count)
        }
        guard status == REDIS_OK else { throw failure("append a command") }
    }

    /// Reads the next reply, sending what is buffered first.
    func nextReply() throws(RedisConnectionFailure) -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw failure("read a reply") }
        defer { freeReplyObject(raw) }
        let reply = raw.assumingMemoryBound(to: redisReply.self).pointee
        guard reply.type == REDIS_REPLY_ERROR else { return .success }
        guard let text = reply.str else { return .error("(empty error reply)") }
        return .error(String(decoding: UnsafeRawBufferPointer(start: text, count: reply.len), as: UTF8.self))
    }

    /// One command, one reply (for the connection's own AUTH and SELECT).
    private func call(_ arguments: [[UInt8]]) throws(RedisConnectionFailure) -> RedisReply {
        var buffer = PipelineBuffer()
        buffer.appendCommand(message: 0, name: "setup", arguments: arguments)
        try append(buffer)
        return try nextReply()
    }

    /// The context's error, e.g. `connect: Connection refused`.
    private func failure(_ step: String) -> RedisConnectionFailure {
        var errstr = context.pointee.errstr
        let text = withUnsafeBytes(of: &errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return RedisConnectionFailure(description: "\(step): \(text.isEmpty ? "error \(context.pointee.err)" : text)")
    }

    private static func timeval(_ milliseconds: Int) -> Glibc.timeval {
        Glibc.timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
    }

}
