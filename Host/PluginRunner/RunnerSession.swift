import CSluicePlugin
import SluiceIsolationWire
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The runner's side of one isolated agent: the plugin's instance, the
/// batches open in it, and the requests it waits on. Its reader thread only
/// reads frames (answers wake their waiters; everything else goes to the
/// worker), so an answer is never stuck behind a batch.
final class RunnerSession: @unchecked Sendable {
    // @unchecked: `descriptor`, `instance`, `tables` and `partitions` are the
    // worker thread's alone; the rest is behind locks.
    let channel: FrameChannel
    let region: SharedRegion
    /// Resident memory above which the runner stops itself (0: no limit).
    let memoryLimit: Int
    private let work = BlockingQueue<WireFrame>()
    private let open = Mutex<[UInt64: RunnerBatch]>([:])
    private let waiters = Mutex<[UInt64: ReplyWaiter]>([:])
    private let nextRequest = Atomic<UInt64>(1)
    private var descriptor: UnsafePointer<sluice_plugin_descriptor>?
    private var instance: UnsafeMutableRawPointer?
    private(set) var tables: Set<[UInt8]> = []
    private var partitions: [String: (topic: UnsafeMutablePointer<CChar>, state: UnsafeMutableRawPointer?)] = [:]

    init(channel: FrameChannel, region: SharedRegion, memoryLimit: Int) {
        self.channel = channel
        self.region = region
        self.memoryLimit = memoryLimit
    }

    /// Reads frames until the host goes away, then exits.
    func run() -> Never {
        startWorker()
        while let frame = channel.receive() {
            if frame.kind == .reply {
                waiters.withLock { $0.removeValue(forKey: frame.tag) }?.fulfil(frame.payload)
            } else {
                work.push(frame)
            }
        }
        // The host closed its end: it stopped, or it is gone.
        _exit(0)
    }

    private func startWorker() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            let session = Unmanaged<RunnerSession>.fromOpaque(argument!).takeRetainedValue()
            while true { session.handle(session.work.pop()) }
        }, box)
        precondition(created == 0, "the runner could not start its worker thread")
    }

    // MARK: Requests to the host

    /// Sends a request and waits for its answer (nil: the host is gone).
    func request(_ kind: WireFrameKind, _ payload: [UInt8]) -> [UInt8]? {
        let id = nextRequest.add(1, ordering: .relaxed).oldValue
        let waiter = ReplyWaiter()
        waiters.withLock { $0[id] = waiter }
        guard channel.send(kind, tag: id, payload) else {
            _exit(0)
        }
        return waiter.wait()
    }

    /// The open batch `wireID`, if any.
    func batch(_ wireID: UInt64) -> RunnerBatch? {
        open.withLock { $0[wireID] }
    }

    // MARK: Frames from the host

    private func handle(_ frame: WireFrame) {
        let outcome = frame.payload.withUnsafeBytes { raw in
            Result { () throws(WireError) in try dispatch(frame, raw) }
        }
        if case .failure(let error) = outcome {
            log(SLUICE_LOG_ERROR, "plugin runner: \(error)")
            _exit(70)
        }
    }

    private func dispatch(_ frame: WireFrame, _ raw: UnsafeRawBufferPointer) throws(WireError) {
        var reader = WireReader(raw)
        switch frame.kind {
        case .describe: describe(try reader.string(), tag: frame.tag)
        case .create: create(raw, tag: frame.tag)
        case .open: openPartition(try reader.string(), try reader.i32(), tag: frame.tag)
        case .close: closePartition(try reader.string(), try reader.i32(), tag: frame.tag)
        case .flush: flush(tag: frame.tag)
        case .destroy: destroy(tag: frame.tag)
        case .batch, .inlineBatch: try runBatch(frame, &reader)
        case .timers: try runTimers(frame, &reader)
        default: throw WireError("unexpected frame \(frame.kind) from the host")
        }
    }

    private func reply(_ tag: UInt64, _ build: (inout WireWriter) -> Void = { _ in }) {
        var writer = WireWriter()
        build(&writer)
        channel.send(.reply, tag: tag, writer.bytes)
    }

    private func describe(_ path: String, tag: UInt64) {
        switch DescriptorReader.load(path: path) {
        case .success(let descriptor):
            self.descriptor = descriptor
            let summary = DescriptorReader.summary(of: descriptor)
            tables = Set((summary.tables ?? []).map { Array($0.utf8) })
            reply(tag) { writer in
                writer.u8(DescribeOutcome.described.rawValue)
                let bytes = summary.encoded()
                writer.data(bytes)
            }
        case .failure(let failure):
            reply(tag) { writer in
                writer.u8(failure.outcome.rawValue)
                writer.string(failure.detail)
            }
        }
    }

    private func create(_ config: UnsafeRawBufferPointer, tag: UInt64) {
        guard let descriptor else {
            return reply(tag) { $0.i32(Int32(SLUICE_STATUS_ERROR)); $0.string("the plugin was not described first") }
        }
        let reader = MemberReader(descriptor)
        var text = Array(config)
        text.append(0)
        let length = config.count
        var error = [CChar](repeating: 0, count: 1024)
        func errorText() -> String {
            error[error.count - 1] = 0
            return error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
        let context = reader[\.context] ?? nil
        var status: Int32 = Int32(SLUICE_STATUS_OK)
        var function = ""
        text.withUnsafeBufferPointer { rawText in
            let pointer = UnsafeRawPointer(rawText.baseAddress!).assumingMemoryBound(to: CChar.self)
            if let validate = reader[\.validate_config_v2] ?? nil {
                function = "validate_config_v2"
                status = validate(context, pointer, length, &error, error.count)
            } else if let validate = reader[\.validate_config] ?? nil {
                function = "validate_config"
                status = validate(pointer, length, &error, error.count)
            }
        }
        guard status == SLUICE_STATUS_OK else {
            let reason = errorText()
            return reply(tag) { $0.i32(2); $0.string("configuration rejected by \(function): \(reason.isEmpty ? "(no reason given)" : reason)") }
        }
        var created: UnsafeMutableRawPointer?
        let host = OpaquePointer(bitPattern: 1)
        text.withUnsafeBufferPointer { rawText in
            let pointer = UnsafeRawPointer(rawText.baseAddress!).assumingMemoryBound(to: CChar.self)
            if let createV2 = reader[\.create_v2] ?? nil {
                function = "create_v2()"
                status = createV2(context, RunnerHostTable.table, host, pointer, length, &created, &error, error.count)
            } else {
                function = "create()"
                status = descriptor.pointee.create!(RunnerHostTable.table, host, pointer, length, &created, &error, error.count)
            }
        }
        guard status == SLUICE_STATUS_OK, let created else {
            let reason = errorText()
            return reply(tag) { $0.i32(Int32(SLUICE_STATUS_ERROR)); $0.string("\(function) failed: \(reason.isEmpty ? "no reason given" : reason)") }
        }
        instance = created
        reply(tag) { $0.i32(Int32(SLUICE_STATUS_OK)); $0.string("") }
    }

    private func openPartition(_ topic: String, _ partition: Int32, tag: UInt64) {
        let name = strdup(topic)!
        var state: UnsafeMutableRawPointer?
        var status = Int32(SLUICE_STATUS_OK)
        if let instance, let open = descriptor?.pointee.open {
            status = calling(0) { open(instance, name, partition, &state) }
        }
        partitions["\(partition)/\(topic)"] = (name, state)
        reply(tag) { $0.i32(status) }
    }

    private func closePartition(_ topic: String, _ partition: Int32, tag: UInt64) {
        if let entry = partitions.removeValue(forKey: "\(partition)/\(topic)") {
            if let instance, let close = descriptor?.pointee.close {
                calling(0) { close(instance, entry.topic, partition, entry.state) }
            }
            free(entry.topic)
        }
        reply(tag)
    }

    private func flush(tag: UInt64) {
        var status = Int32(SLUICE_STATUS_OK)
        if let instance, let flush = descriptor?.pointee.flush {
            status = calling(0) { flush(instance) }
        }
        // Every pending batch's answer goes out before flush's, on the same socket.
        while !open.withLock({ $0.isEmpty }) { usleep(1000) }
        reply(tag) { $0.i32(status) }
    }

    private func destroy(tag: UInt64) {
        if let instance, let destroy = descriptor?.pointee.destroy {
            calling(0) { destroy(instance) }
        }
        instance = nil
        reply(tag)
        _exit(0)
    }

    /// Runs a call into the plugin with `wireID` noted in the shared region,
    /// so the host can blame a crash on the batch inside the plugin.
    @discardableResult
    private func calling<Value>(_ wireID: UInt64, _ body: () -> Value) -> Value {
        let control = region.base
        control.storeBytes(of: wireID, toByteOffset: RegionControl.runningBatch, as: UInt64.self)
        defer { control.storeBytes(of: 0, toByteOffset: RegionControl.runningBatch, as: UInt64.self) }
        return body()
    }

    private func runBatch(_ frame: WireFrame, _ reader: inout WireReader) throws(WireError) {
        let bytes: UnsafeMutableRawBufferPointer
        var inline: UnsafeMutableRawBufferPointer?
        if frame.kind == .batch {
            let offset = Int(try reader.u64())
            let length = Int(try reader.u64())
            guard let shared = region.bytes(at: offset, count: length) else {
                throw WireError("batch at \(offset)+\(length) is outside the shared region")
            }
            bytes = shared
        } else {
            let data = try reader.data()
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 8), alignment: 8)
            copy.copyMemory(from: data)
            inline = copy
            bytes = UnsafeMutableRawBufferPointer(rebasing: copy[0..<data.count])
        }
        let topic = try reader.string()
        let partition = try reader.i32()
        let attempt = try reader.u32()
        let decoded: DecodedBatch
        do throws(WireError) {
            decoded = try DecodedBatch(bytes)
        } catch {
            inline?.deallocate()
            throw error
        }
        let batch = RunnerBatch(wireID: frame.tag, decoded: decoded, inlineBytes: inline, topic: topic,
                                partition: partition, attempt: attempt,
                                partitionState: partitions["\(partition)/\(topic)"]?.state)
        open.withLock { $0[frame.tag] = batch }
        guard let instance, let descriptor else {
            return finish(batch, status: Int32(SLUICE_BATCH_FATAL.rawValue))
        }
        let status = calling(frame.tag) { descriptor.pointee.on_batch!(instance, batch.batch) }
        checkMemory(after: frame.tag)
        if status == Int32(SLUICE_BATCH_PENDING.rawValue) {
            let early = batch.state.withLock { state -> Int32? in
                state.returnedPending = true
                return state.completedStatus
            }
            if let early { finish(batch, status: early) }
        } else {
            finish(batch, status: status)
        }
    }

    private func runTimers(_ frame: WireFrame, _ reader: inout WireReader) throws(WireError) {
        let topic = try reader.string()
        let partition = try reader.i32()
        let now = try reader.i64()
        let streamTime = try reader.i64()
        let count = Int(try reader.u32())
        var timers: [sluice_timer] = []
        timers.reserveCapacity(count)
        for _ in 0..<count {
            let clock = try reader.i32()
            let due = try reader.i64()
            let key = try reader.data()
            timers.append(sluice_timer(clock: clock, due_ms: due, key: key.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                       key_len: key.count))
        }
        let batch = RunnerBatch(wireID: frame.tag, decoded: nil, inlineBytes: nil, topic: topic, partition: partition,
                                attempt: 1, partitionState: nil)
        open.withLock { $0[frame.tag] = batch }
        let state = partitions["\(partition)/\(topic)"]
        var status = Int32(SLUICE_BATCH_FATAL.rawValue)
        if let instance, let descriptor, let onTimer = MemberReader(descriptor)[\.on_timer] ?? nil {
            status = timers.withUnsafeBufferPointer { items in
                var timerBatch = sluice_timer_batch(
                    struct_size: UInt32(MemoryLayout<sluice_timer_batch>.size), id: frame.tag,
                    topic: UnsafePointer(batch.batch.pointee.topic), partition: partition,
                    partition_state: state?.state, now_ms: now, stream_time_ms: streamTime,
                    count: count, timers: items.baseAddress)
                return calling(frame.tag) { onTimer(instance, &timerBatch) }
            }
        }
        checkMemory(after: frame.tag)
        finish(batch, status: status)
    }

    /// A batch is finished (on_batch or on_timer returned, or complete()):
    /// its answer goes to the host once.
    func finish(_ batch: RunnerBatch, status: Int32) {
        let first = batch.state.withLock { state -> Bool in
            defer { state.sent = true }
            return !state.sent
        }
        guard first else { return }
        let payload = batch.donePayload(status: status)
        open.withLock { _ = $0.removeValue(forKey: batch.wireID) }
        channel.send(.batchDone, tag: batch.wireID, payload)
    }

    /// complete() from the plugin.
    func complete(_ wireID: UInt64, status: Int32) {
        guard let batch = batch(wireID) else {
            return log(SLUICE_LOG_WARNING, "complete() for batch \(wireID), which is not pending: ignored")
        }
        let ready = batch.state.withLock { state -> Bool in
            if state.completedStatus != nil { return false }
            state.completedStatus = status
            return state.returnedPending
        }
        if ready { finish(batch, status: status) }
    }

    /// Past `memoryLimit`, tells the host which batch went over and exits.
    private func checkMemory(after wireID: UInt64) {
        guard memoryLimit > 0, let resident = ResidentMemory.current(), resident > memoryLimit else { return }
        var writer = WireWriter()
        writer.string("exceeded memory_limit: resident \(resident >> 20) MiB, limit \(memoryLimit >> 20) MiB")
        channel.send(.exceeded, tag: wireID, writer.bytes)
        _exit(75)
    }

    /// Sends a log line to the host.
    func log(_ level: sluice_log_level, _ text: String) {
        var writer = WireWriter()
        writer.u8(UInt8(level.rawValue))
        writer.string(text)
        channel.send(.log, tag: 0, writer.bytes)
    }
}

/// The process's private resident memory (resident minus shared pages: the
/// shared batch region and mapped files do not count), from `/proc/self/statm`.
enum ResidentMemory {
    static func current() -> Int? {
        let file = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let fields = buffer[0..<count].split(separator: 0x20)
        guard fields.count > 2, let pages = Int(String(decoding: fields[1], as: UTF8.self)),
              let shared = Int(String(decoding: fields[2], as: UTF8.self)) else { return nil }
        return max(0, pages - shared) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
