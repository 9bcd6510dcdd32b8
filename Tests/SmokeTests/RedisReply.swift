import CHiredis

/// A Redis reply copied out of hiredis's `redisReply` tree into Swift values,
/// so assertions compare plain data and the C reply can be freed at once.
enum RedisReply: Equatable {
    case status(String)
    case string(String)
    case integer(Int64)
    case array([RedisReply])
    case error(String)
    case null

    /// Copies `reply` (borrowed; the caller frees it).
    init(_ reply: UnsafePointer<redisReply>) {
        let r = reply.pointee
        func text() -> String {
            String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self)
        }
        switch r.type {
        case REDIS_REPLY_STATUS: self = .status(text())
        case REDIS_REPLY_STRING: self = .string(text())
        case REDIS_REPLY_INTEGER: self = .integer(r.integer)
        case REDIS_REPLY_ERROR: self = .error(text())
        case REDIS_REPLY_ARRAY:
            self = .array((0..<r.elements).map { RedisReply(UnsafePointer(r.element[$0]!)) })
        default: self = .null
        }
    }
}
