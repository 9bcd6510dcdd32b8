import SluiceSDK

/// Turns records into the Redis commands the configuration asks for, in one
/// ``PipelineBuffer`` per batch: everything the redis agent does before it
/// talks to Redis. Public so the micro-benchmarks and property tests run the
/// agent's own rendering.
///
/// One renderer serves one batch at a time: it keeps the current record's
/// looked-up fields, whose storage is reused from record to record.
public struct RedisCommandRenderer {
    let plan: CommandPlan
    private var record = RecordView()

    init(plan: CommandPlan) { self.plan = plan }

    /// A renderer for these settings (the sidecar's `commands`, `key_prefix`
    /// and `expire_seconds`); the error names the argument that is wrong.
    public init(commands: [[String]], keyPrefix: String = "", expireSeconds: Int? = nil) throws(ConfigurationError) {
        var configuration = RedisConfiguration()
        configuration.commands = commands
        configuration.keyPrefix = keyPrefix
        configuration.expireSeconds = expireSeconds
        try configuration.validate()
        plan = try CommandPlan(configuration: configuration)
    }

    /// Appends the commands of one record (tagged with `message`, its index in
    /// the batch) to `buffer`. All or nothing: on failure the buffer is as
    /// before and the error's reason names the field.
    public mutating func render(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, message: Int,
                                into buffer: inout PipelineBuffer) throws(RenderFailure) {
        record.reset(key: key, value: value)
        try plan.render(&record, message: message, into: &buffer)
    }
}
