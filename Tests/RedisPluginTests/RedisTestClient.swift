import CHiredis
import Foundation
import TestSupport

/// A blocking hiredis client for checking what the plugin wrote (the test's
/// own connection, separate from the plugin's pool).
final class RedisTestClient {
    /// A reply, simplified for assertions.
    indirect enum Reply: Equatable {
        case text(String)
        case integer(Int64)
        case array([Reply])
        case null
        case error(String)

        var text: String? { if case .text(let value) = self { value } else { nil } }
        var integer: Int64? { if case .integer(let value) = self { value } else { nil } }
    }

    private let context: UnsafeMutablePointer<redisContext>

    /// Connects to 127.0.0.1:`port`, authenticates and selects `database`.
    init(port: Int, database: Int = 0, password: String? = nil) throws {
        guard let context = redisConnectWithTimeout("127.0.0.1", Int32(port), timeval(tv_sec: 5, tv_usec: 0)) else {
            throw HarnessError("cannot allocate a hiredis context")
        }
        self.context = context
        guard context.pointee.err == 0 else { throw HarnessError("cannot connect to redis on port \(port)") }
        _ = redisSetTimeout(context, timeval(tv_sec: 10, tv_usec: 0))
        if let password { _ = try command("AUTH", password) }
        if database != 0 { _ = try command("SELECT", "\(database)") }
    }

    deinit { redisFree(context) }

    /// Runs one command (arguments binary-safe, no formatting).
    @discardableResult
    func command(_ arguments: String...) throws -> Reply {
        try command(arguments)
    }

    /// Runs one command given as an array.
    func command(_ arguments: [String]) throws -> Reply {
        let bytes = arguments.map { Array($0.utf8) }
        let raw: UnsafeMutableRawPointer? = withPointers(bytes) { argv, lengths in
            redisCommandArgv(context, Int32(argv.count), &argv, lengths)
        }
        guard let raw else { throw HarnessError("redis command \(arguments.first ?? "") failed: error \(context.pointee.err)") }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// `ZRANGE key 0 -1 WITHSCORES` as (member, score) pairs.
    func sortedSet(_ key: String) throws -> [(member: String, score: Double)] {
        guard case .array(let items) = try command("ZRANGE", key, "0", "-1", "WITHSCORES") else { return [] }
        return stride(from: 0, to: items.count - 1, by: 2).compactMap { index in
            guard let member = items[index].text, let score = items[index + 1].text.flatMap(Double.init) else { return nil }
            return (member, score)
        }
    }

    /// A field of `INFO <section>` (e.g. `total_connections_received` of `stats`).
    func info(_ section: String, _ field: String) throws -> Int64? {
        guard let text = try command("INFO", section).text else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix(field + ":") {
            return Int64(line.dropFirst(field.count + 1))
        }
        return nil
    }

    private func withPointers<R>(_ arguments: [[UInt8]],
                                 _ body: (inout [UnsafePointer<CChar>?], [Int]) -> R) -> R {
        let buffers = arguments.map { bytes -> UnsafeMutablePointer<CChar> in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count)
            }
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var argv: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        return body(&argv, arguments.map(\.count))
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> Reply {
        let value = reply.pointee
        func string() -> String {
            guard let str = value.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: str, count: value.len), as: UTF8.self)
        }
        switch value.type {
        case REDIS_REPLY_STRING, REDIS_REPLY_STATUS: return .text(string())
        case REDIS_REPLY_INTEGER: return .integer(value.integer)
        case REDIS_REPLY_ERROR: return .error(string())
        case REDIS_REPLY_ARRAY:
            return .array((0..<value.elements).compactMap { value.element[$0].map(convert) })
        default: return .null
        }
    }
}
