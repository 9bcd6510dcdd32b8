import CHiredis
import Foundation

/// A blocking hiredis connection with connect and command timeouts. Commands
/// go through `redisCommandArgv` (argument arrays), the non-variadic API.
final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects to `host:port`, giving up after `timeoutSeconds` (also the
    /// per-command timeout).
    init(host: String, port: Int, timeoutSeconds: Int = 2) throws {
        let timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        guard let context = redisConnectWithTimeout(host, Int32(port), timeout) else {
            throw SmokeFailure("redisConnectWithTimeout returned NULL (out of memory)")
        }
        guard context.pointee.err == 0 else {
            let reason = Self.errorText(context)
            redisFree(context)
            throw SmokeFailure("cannot connect to redis at \(host):\(port): \(reason)")
        }
        guard redisSetTimeout(context, timeout) == REDIS_OK else {
            let reason = Self.errorText(context)
            redisFree(context)
            throw SmokeFailure("redisSetTimeout: \(reason)")
        }
        self.context = context
    }

    deinit { redisFree(context) }

    /// Sends one command (each argument binary-safe) and returns its reply.
    func command(_ arguments: String...) throws -> RedisReply {
        let copies = arguments.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var argv = copies.map { UnsafePointer<CChar>($0) }
        let lengths = arguments.map { $0.utf8.count }
        guard let raw = redisCommandArgv(context, Int32(arguments.count), &argv, lengths) else {
            throw SmokeFailure("\(arguments.first ?? ""): \(Self.errorText(context))")
        }
        defer { freeReplyObject(raw) }
        return RedisReply(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// hiredis's fixed-size `errstr` as a Swift string.
    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
