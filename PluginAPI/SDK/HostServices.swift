import CSluicePlugin

/// The host's services for one agent instance: logging, metrics and producing,
/// through the `sluice_host_api` table the host passed to `create`.
///
/// Plugins log and count here, not through their own `LoggingSystem`: a Swift
/// plugin links its own copy of swift-log, which the host's bootstrap never
/// reaches. Every method may be called from any thread while the instance exists.
public struct HostServices: @unchecked Sendable {
    // @unchecked: two raw pointers. The header promises that the table and the
    // host handle stay valid until destroy() returns and that every function
    // in the table may be called from any thread; the SDK never writes through them.
    let api: UnsafePointer<sluice_host_api>
    let host: OpaquePointer?
    /// Set for an agent that does not declare `.produces` (see ``UndeclaredProduceWarning``).
    private(set) var undeclaredProduce: UndeclaredProduceWarning?

    /// Wraps the table and handle passed to `create`.
    init(api: UnsafePointer<sluice_host_api>, host: OpaquePointer?) {
        self.api = api
        self.host = host
    }

    /// These services for an instance of agent type `A`: producing warns once
    /// when `A` does not declare ``Capabilities/produces``.
    func forAgent<A: SluiceAgent>(_ type: A.Type) -> HostServices {
        var services = self
        services.undeclaredProduce = UndeclaredProduceWarning.forAgent(A.self)
        return services
    }

    /// The size of an ABI 1.0 host table: every member before 1.1's `trace_context`.
    static let abi1_0TableSize = MemoryLayout<sluice_host_api>.offset(of: \.trace_context)!

    /// The ABI version of the host (from its table).
    public var hostABIVersion: (major: UInt16, minor: UInt16) {
        (api.pointee.abi_major, api.pointee.abi_minor)
    }

    /// Logs a line under the agent's name.
    public func log(_ level: LogLevel, _ message: String) {
        guard let log = api.pointee.log else { return }
        var message = message
        message.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { log(host, level.cValue, $0.baseAddress, $0.count) }
        }
    }

    /// A counter named `sluice_plugin_<name>{agent="..."}`.
    public func counter(_ name: String) -> Counter { Counter(name: name, host: self) }
    /// A gauge named `sluice_plugin_<name>{agent="..."}`.
    public func gauge(_ name: String) -> Gauge { Gauge(name: name, host: self) }
    /// A histogram named `sluice_plugin_<name>{agent="..."}`.
    public func histogram(_ name: String) -> Histogram { Histogram(name: name, host: self) }

    /// Produces a record.
    ///
    /// - Parameters:
    ///   - batchID: the batch the record belongs to: the host commits that
    ///     batch's offsets only after the broker acknowledged this record, and
    ///     retries the batch when delivery fails. `0` gates nothing. Inside a
    ///     batch prefer ``AgentContext/produce(topic:key:value:headers:partition:)``
    ///     or ``MessageBatch/produce(topic:key:value:headers:partition:)``, which pass it.
    ///   - topic: the destination topic.
    ///   - key: the key, or `nil` for a null key.
    ///   - value: the value, or `nil` for a null value (a tombstone).
    ///   - headers: headers to attach.
    ///   - partition: a partition, or `nil` to let the host's partitioner choose.
    /// - Throws: ``ProduceError`` when the host refuses the record (unknown
    ///   batch, empty topic); the host logs why.
    public func produce(batchID: UInt64, topic: String, key: (any RecordBytes)?, value: (any RecordBytes)?,
                        headers: [RecordHeader] = [], partition: Int32? = nil) throws(ProduceError) {
        guard let produce = api.pointee.produce else { throw ProduceError(topic: topic, reason: "the host does not support produce") }
        undeclaredProduce?.produced(through: self)
        let status: Int32 = withOptionalBytes(key) { keyPointer, keyCount in
            withOptionalBytes(value) { valuePointer, valueCount in
                HeaderArray.with(headers) { headerPointer, headerCount in
                    var topic = topic
                    return topic.withUTF8 { topicBytes in
                        topicBytes.withMemoryRebound(to: CChar.self) { topicChars in
                            produce(host, batchID, topicChars.baseAddress, topicChars.count,
                                    partition ?? Int32(SLUICE_PARTITION_ANY),
                                    keyPointer, keyCount, valuePointer, valueCount, headerPointer, headerCount)
                        }
                    }
                }
            }
        }
        guard status == SLUICE_STATUS_OK else { throw ProduceError(topic: topic, reason: "the host refused the record (see its log)") }
    }

    /// Whether the host takes a batch's records in one call (`produce_batch`, ABI 1.3).
    var producesBatches: Bool {
        Int(api.pointee.struct_size) >= MemoryLayout<sluice_host_api>.offset(of: \.produce_batch)! + MemoryLayout<UnsafeRawPointer?>.size
            && api.pointee.produce_batch != nil
    }

    /// Produces `records` to `topic` for batch `batchID` in one host call
    /// (``producesBatches`` must be true).
    /// - Throws: ``ProduceError`` when the host refuses them; it logs why.
    func produceBatch(batchID: UInt64, topic: String, records: UnsafeBufferPointer<sluice_produce_record>) throws(ProduceError) {
        guard let produceBatch = api.pointee.produce_batch else {
            throw ProduceError(topic: topic, reason: "the host does not support produce_batch")
        }
        undeclaredProduce?.produced(through: self)
        var topicText = topic
        let status = topicText.withUTF8 { topicBytes in
            topicBytes.withMemoryRebound(to: CChar.self) { topicChars in
                produceBatch(host, batchID, topicChars.baseAddress, topicChars.count, records.baseAddress, records.count)
            }
        }
        guard status == SLUICE_STATUS_OK else {
            throw ProduceError(topic: topic, reason: "the host refused the records handed over together (see its log)")
        }
    }

    /// The W3C `traceparent` of batch `batchID`'s span (55 characters), to send
    /// on requests made for the batch; nil when the host traces nothing (tracing
    /// off, a host older than ABI 1.1, or a batch that is not in flight).
    /// Records produced for the batch carry it already: the host adds it.
    public func traceparent(batchID: UInt64) -> String? {
        // ABI 1.1 appended trace_context: a 1.0 host's table ends before it.
        guard Int(api.pointee.struct_size) >= Self.abi1_0TableSize + MemoryLayout<UnsafeRawPointer?>.size,
              let traceContext = api.pointee.trace_context else { return nil }
        // On the stack: with tracing off this costs one call and no allocation.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(SLUICE_TRACEPARENT_LEN) + 1) { buffer in
            let length = traceContext(host, batchID, buffer.baseAddress, buffer.count)
            guard length == Int(SLUICE_TRACEPARENT_LEN) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: length), as: UTF8.self)
        }
    }

    /// Attaches a reason to message `index` (or to the batch with `nil`).
    func setError(batchID: UInt64, index: Int?, reason: String) {
        guard let setError = api.pointee.set_error else { return }
        var reason = reason
        reason.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                setError(host, batchID, index ?? Int(bitPattern: UInt(SLUICE_BATCH_INDEX)), $0.baseAddress, $0.count)
            }
        }
    }

    /// Finishes a pending batch.
    func complete(batchID: UInt64, fatal: Bool) {
        api.pointee.complete?(host, batchID, fatal ? SLUICE_BATCH_FATAL : SLUICE_BATCH_DONE)
    }
}

/// A present but empty key or value still needs a non-NULL pointer (NULL
/// means "null"); this byte provides one.
nonisolated(unsafe) private let emptyBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

/// Calls `body` with a C pointer and length for optional bytes.
private func withOptionalBytes<R>(_ bytes: (any RecordBytes)?, _ body: (UnsafePointer<UInt8>?, Int) -> R) -> R {
    guard let bytes else { return body(nil, 0) }
    return bytes.withRecordBytes { buffer in
        let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptyBytes)
        return body(base, buffer.count)
    }
}
