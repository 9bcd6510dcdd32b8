/// What a frame between the host and a plugin runner carries. Every frame is
/// `[u32 payload length][u8 kind][u64 tag][payload]`; the tag is a request's
/// id (echoed by its reply) or a batch's wire id.
public enum WireFrameKind: UInt8, Sendable {
    // Host → runner: lifecycle (each answered by `.reply` with the same tag).
    /// Load the plugin and describe it: payload `string path`.
    case describe = 1
    /// validate_config then create: payload `string config JSON`.
    case create = 2
    /// open(topic, partition): payload `string topic, i32 partition`.
    case open = 3
    /// close(topic, partition): payload as `open`.
    case close = 4
    /// flush(): no payload; answered once every pending batch is finished.
    case flush = 5
    /// destroy(), then exit: no payload.
    case destroy = 6
    /// A batch in the shared region (tag: wire id): payload `BatchFrame`.
    case batch = 7
    /// A batch too large for the shared region, its records in the payload.
    case inlineBatch = 8
    /// Timers due (tag: request id): payload `TimerFrame`; answered by `.reply`.
    case timers = 9

    // Runner → host.
    /// The answer to a request of the same tag.
    case reply = 20
    /// A batch is finished (tag: wire id): payload `u8 status` then the ops it made.
    case batchDone = 21
    /// A state read (tag: request id): payload `u64 wire id, bytes table, bytes key`.
    case stateGet = 22
    /// A state range read (tag: request id).
    case stateRange = 23
    /// The partition's stream time (tag: request id): payload `u64 wire id`.
    case streamTime = 24
    /// The batch's trace context (tag: request id): payload `u64 wire id`.
    case traceContext = 25
    /// A log line: payload `u8 level, bytes text`.
    case log = 26
    /// A metric: payload `u8 type, bytes name, f64 value`.
    case metric = 27
    /// The runner stops itself before the host kills it: payload `bytes reason`.
    case exceeded = 28
}
