import CIsolation
import CSluicePlugin
import SluiceIsolationWire
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The runner's side of one isolated agent: the plugin's instance, the
/// batches open in it, and the requests it waits on. Its reader thread only
/// reads frames (answers wake their waiters; everything else goes to a
/// worker), so an answer is never stuck behind a batch. As in the host,
/// batches of different partitions run on different worker threads at once
/// and one partition's batches run in order on one; the lifecycle calls
/// (create, open, close, flush, destroy) run on a control thread of their own.
final class RunnerSession: @unchecked Sendable {
    // @unchecked: `descriptor`, `instance` and `tables` are written by the
    // control thread before the host sends any batch (it waits for create's
    // answer) and only read after; the rest is behind locks.
    let channel: FrameChannel
    let region: SharedRegion
    /// Resident memory above which the runner stops itself (0: no limit).
    let memoryLimit: Int
    /// The control thread's queue: lifecycle requests.
    private let control = BlockingQueue<WireFrame>()
    /// One queue per worker thread: batches and timers, by partition.
    private let workers: [BlockingQueue<WireFrame>]
    private let open = Mutex<[UInt64: RunnerBatch]>([:])
    private let waiters = Mutex<[UInt64: ReplyWaiter]>([:])
    private let nextRequest = Atomic<UInt64>(1)
    private var descriptor: UnsafePointer<sluice_plugin_descriptor>?
    private var instance: UnsafeMutableRawPointer?
    private(set) var tables: Set<[UInt8]> = []
    /// Open partitions by "partition/topic": the C topic name and what open() stored.
    /// Written by the control thread, read by the workers.
    private let partitions = Mutex<[String: OpenPartition]>([:])

    init(channel: FrameChannel, region: SharedRegion, memoryLimit: Int, workerCount: Int) {
        self.channel = channel
        self.region = region
        self.memoryLimit = memoryLimit
        workers = (0..<min(max(workerCount, 1), RegionControl.maximumWorkers)).map { _ in BlockingQueue<WireFrame>() }
        sluice_isolation_install_crash_marker(
            region.base.advanced(by: RegionControl.crashedBatch).assumingMemoryBound(to: UInt64.self))
    }

    /// Reads frames until the host goes away, then exits.
    func run() -> Never {
        startThread { session in while true { session.handle(session.control.pop(), worker: nil) } }
        for index in workers.indices {
            startThread { session in while true { session.handle(session.workers[index].pop(), worker: index) } }
        }
        while let frame = channel.receive() {
            switch frame.kind {
            case .reply:
                waiters.withLock { $0.removeValue(forKey: frame.tag) }?.fulfil(frame.payload)
            case .batch, .inlineBatch, .timers:
                workers[worker(for: frame)].push(frame)
            default:
                control.push(frame)
            }
        }
        // The host closed its end: it stopped, or it is gone.
        _exit(0)
    }

    /// The worker of a batch's or timer batch's partition: always the same
    /// one for a partition, so its batches run in order.
    private func worker(for frame: WireFrame) -> Int {
        frame.payload.withUnsafeBytes { bytes in
            var reader = WireReader(bytes)
            switch frame.kind {
            case .batch: _ = try? reader.bytes(count: 16)
            case .inlineBatch: _ = try? reader.data()
            default: break
            }
            guard let topic = try? reader.data(), let partition = try? reader.i32() else { return 0 }
            let topicHash = topic.reduce(0) { ($0 &* 31) &+ Int($1) }
            return Int(UInt(bitPattern: topicHash &+ Int(partition)) % UInt(workers.count))
        }
    }

    /// Starts a thread that runs `body` with this session for the process's life.
    private func startThread(_ body: @escaping @Sendable (RunnerSession) -> Void) {
        final class Start: @unchecked Sendable {
            let session: RunnerSession
            let body: @Sendable (RunnerSession) -> Void
            init(_ session: RunnerSession, _ body: @escaping @Sendable (RunnerSession) -> Void) {
                self.session = session
                self.body = body
            }
        }
        let start = Unmanaged.passRetained(Start(self, body)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
            start.body(start.session)
            return nil
        }, start)
        precondition(created == 0, "the runner could not start a thread")
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

    private func handle(_ frame: WireFrame, worker: Int?) {
        let outcome = frame.payload.withUnsafeBytes { raw in
            Result { () throws(WireError) in try dispatch(frame, raw, worker: worker ?? 0) }
        }
        if case .failure(let error) = outcome {
            log(SLUICE_LOG_ERROR, "plugin runner: \(error)")
            _exit(70)
        }
    }

    private func dispatch(_ frame: WireFrame, _ raw: UnsafeRawBufferPointer, worker: Int) throws(WireError) {
        var reader = WireReader(raw)
        switch frame.kind {
        case .describe: describe(try reader.string(), tag: frame.tag)
        case .create: create(raw, tag: frame.tag)
        case .open: openPartition(try reader.string(), try reader.i32(), tag: frame.tag)
        case .close: closePartition(try reader.string(), try reader.i32(), tag: frame.tag)
        case .flush: flush(tag: frame.tag)
        case .destroy: destroy(tag: frame.tag)
        case .batch, .inlineBatch: try runBatch(frame, &reader, worker: worker)
        case .timers: try runTimers(frame, &reader, worker: worker)
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
            status = calling { open(instance, name, partition, &state) }
        }
        let entry = OpenPartition(topic: name, state: state)
        partitions.withLock { $0["\(partition)/\(topic)"] = entry }
        reply(tag) { $0.i32(status) }
    }

    private func closePartition(_ topic: String, _ partition: Int32, tag: UInt64) {
        if let entry = partitions.withLock({ $0.removeValue(forKey: "\(partition)/\(topic)") }) {
            if let instance, let close = descriptor?.pointee.close {
                calling { close(instance, entry.topic, partition, entry.state) }
            }
            free(entry.topic)
        }
        reply(tag)
    }

    private func flush(tag: UInt64) {
        var status = Int32(SLUICE_STATUS_OK)
        if let instance, let flush = descriptor?.pointee.flush {
            status = calling { flush(instance) }
        }
        // Every pending batch's answer goes out before flush's, on the same socket.
        while !open.withLock({ $0.isEmpty }) { usleep(1000) }
        reply(tag) { $0.i32(status) }
    }

    private func destroy(tag: UInt64) {
        if let instance, let destroy = descriptor?.pointee.destroy {
            calling { destroy(instance) }
        }
        instance = nil
        reply(tag)
        _exit(0)
    }

    /// Runs a lifecycle call into the plugin (no batch to blame).
    @discardableResult
    private func calling<Value>(_ body: () -> Value) -> Value { body() }

    /// Runs a call into the plugin with batch `wireID` noted in worker
    /// `worker`'s slot of the shared region and in the thread's crash
    /// marker, so the host can blame a crash on the batch inside the plugin.
    private func calling<Value>(_ wireID: UInt64, worker: Int, _ body: () -> Value) -> Value {
        let slot = RegionControl.runningSlots + 8 * worker
        region.base.storeBytes(of: wireID, toByteOffset: slot, as: UInt64.self)
        sluice_isolation_set_current_batch(wireID)
        defer {
            sluice_isolation_set_current_batch(0)
            region.base.storeBytes(of: 0, toByteOffset: slot, as: UInt64.self)
        }
        return body()
    }

    private func runBatch(_ frame: WireFrame, _ reader: inout WireReader, worker: Int) throws(WireError) {
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
                                partitionState: partitions.withLock { $0["\(partition)/\(topic)"]?.state })
        open.withLock { $0[frame.tag] = batch }
        guard let instance, let descriptor else {
            return finish(batch, status: Int32(SLUICE_BATCH_FATAL.rawValue))
        }
        let status = calling(frame.tag, worker: worker) { descriptor.pointee.on_batch!(instance, batch.batch) }
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

    private func runTimers(_ frame: WireFrame, _ reader: inout WireReader, worker: Int) throws(WireError) {
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
        let state = partitions.withLock { $0["\(partition)/\(topic)"] }
        var status = Int32(SLUICE_BATCH_FATAL.rawValue)
        if let instance, let descriptor, let onTimer = MemberReader(descriptor)[\.on_timer] ?? nil {
            status = timers.withUnsafeBufferPointer { items in
                var timerBatch = sluice_timer_batch(
                    struct_size: UInt32(MemoryLayout<sluice_timer_batch>.size), id: frame.tag,
                    topic: UnsafePointer(batch.batch.pointee.topic), partition: partition,
                    partition_state: state?.state, now_ms: now, stream_time_ms: streamTime,
                    count: count, timers: items.baseAddress)
                return calling(frame.tag, worker: worker) { onTimer(instance, &timerBatch) }
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

/// A partition open in the plugin: its C topic name and what open() stored.
struct OpenPartition: @unchecked Sendable {
    // @unchecked: the plugin's partition state is the plugin's to guard (see the ABI's threading rules).
    let topic: UnsafeMutablePointer<CChar>
    let state: UnsafeMutableRawPointer?
}
