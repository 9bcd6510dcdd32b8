import CSluicePlugin
import Foundation
import Logging
import Metrics
import SluiceIsolationWire

/// The host's side of one isolated agent instance: it stands where an
/// in-process plugin instance would (the host calls it through the
/// descriptor ``IsolatedPlugin`` builds) and forwards each call to a
/// `sluice-plugin-runner`. Batches go through the shared region and come
/// back PENDING; the runner's answers are applied through the host API on
/// the thread that reads the runner's socket. When the runner dies, its batches are sent to
/// a new runner; one that crashed two runners is split in halves, down to
/// the single record that still crashes one, which is dead-lettered with
/// the reason (`plugin crashed (SIGSEGV)`).
final class IsolatedInstance: @unchecked Sendable {
    // @unchecked: the mutable state is guarded by `lock`.
    let plugin: IsolatedPlugin
    private let api: UnsafePointer<sluice_host_api>
    private let host: OpaquePointer?
    private let config: [UInt8]
    let region: SharedRegion
    private let slots: SharedSlotAllocator
    private let lock = ConditionLock()
    private let logger: Logger
    private let crashCounter: Counter

    // Guarded by `lock`.
    private var runner: RunnerProcess?
    /// The generation of `runner` (frames carry theirs, so an ended runner's are told apart).
    private var generation = 0
    /// The last generation handed out: every start attempt gets its own.
    private var generations = 0
    private var partitions: [(topic: String, partition: Int32)] = []
    private var inFlight: [UInt64: IsolatedPiece] = [:]
    private var waiting: [IsolatedPiece] = []
    private var batches: [UInt64: IsolatedBatch] = [:]
    private var nextWire: UInt64 = 1
    private var nextOrder: UInt64 = 1
    private var blame: (wire: UInt64?, reason: String)?
    private var consecutiveCrashes = 0
    private var stopped = false

    /// The shared region's size: batches larger than its free space go inline.
    static let regionSize = 64 << 20

    /// Starts a runner, describes and creates the plugin in it; throws with the reason it could not.
    init(plugin: IsolatedPlugin, api: UnsafePointer<sluice_host_api>, host: OpaquePointer?,
         config: UnsafeRawBufferPointer) throws(RunnerStartError) {
        self.plugin = plugin
        self.api = api
        self.host = host
        self.config = Array(config)
        do {
            region = try SharedRegion(creatingSize: Self.regionSize, name: "sluice-\(plugin.agent)")
        } catch {
            throw RunnerStartError("\(error)")
        }
        slots = SharedSlotAllocator(regionSize: Self.regionSize, reserved: RegionControl.size)
        var logger = plugin.logger
        logger[metadataKey: "agent"] = .string(plugin.agent)
        self.logger = logger
        crashCounter = Counter(label: "sluice_plugin_crashes_total",
                               dimensions: [("agent", plugin.agent), ("plugin", plugin.pluginName)])
        let firstGeneration = nextGeneration()
        let first = try startRunner(generation: firstGeneration)
        lock.withLock {
            runner = first
            generation = firstGeneration
        }
        DedicatedThread.start("sluice-isowatch") { [self] in watch() }
    }

    // MARK: Calls from the host

    func open(topic: String, partition: Int32) -> Int32 {
        let current = lock.withLock { () -> RunnerProcess? in
            partitions.append((topic, partition))
            return runner
        }
        var writer = WireWriter()
        writer.string(topic)
        writer.i32(partition)
        // No answer: the runner died; its successor opens every partition anyway.
        guard let answer = current?.request(.open, writer.bytes) else { return Int32(SLUICE_STATUS_OK) }
        return answer.withUnsafeBytes { bytes in
            var reader = WireReader(bytes)
            return (try? reader.i32()) ?? Int32(SLUICE_STATUS_OK)
        }
    }

    func close(topic: String, partition: Int32) {
        let current = lock.withLock { () -> RunnerProcess? in
            partitions.removeAll { $0.topic == topic && $0.partition == partition }
            return runner
        }
        var writer = WireWriter()
        writer.string(topic)
        writer.i32(partition)
        _ = current?.request(.close, writer.bytes)
    }

    func onBatch(_ batch: UnsafeMutablePointer<sluice_batch>) -> Int32 {
        let count = batch.pointee.count
        let piece = lock.withLock { () -> IsolatedPiece in
            batches[batch.pointee.id] = IsolatedBatch(batch)
            defer { nextOrder += 1 }
            return IsolatedPiece(hostBatchID: batch.pointee.id, range: 0..<count, isSplit: false, order: nextOrder)
        }
        if count == 0 {
            finishBatch(batch.pointee.id, records: 0)
            return Int32(SLUICE_BATCH_PENDING.rawValue)
        }
        encode(piece, batch)
        dispatch([piece])
        return Int32(SLUICE_BATCH_PENDING.rawValue)
    }

    func onTimer(_ timers: UnsafeMutablePointer<sluice_timer_batch>) -> Int32 {
        let batch = timers.pointee
        var writer = WireWriter()
        writer.string(String(cString: batch.topic))
        writer.i32(batch.partition)
        writer.i64(batch.now_ms)
        writer.i64(batch.stream_time_ms)
        writer.u32(UInt32(batch.count))
        for index in 0..<batch.count {
            let timer = batch.timers[index]
            writer.i32(timer.clock)
            writer.i64(timer.due_ms)
            writer.data(UnsafeRawBufferPointer(start: timer.key, count: timer.key == nil ? 0 : timer.key_len))
        }
        let reply = ReplyWaiter()
        let piece = lock.withLock { () -> IsolatedPiece in
            defer { nextOrder += 1 }
            return IsolatedPiece(hostBatchID: batch.id, range: 0..<0, isSplit: false, order: nextOrder,
                                 timers: (writer.bytes, reply))
        }
        dispatch([piece])
        return reply.wait().flatMap { $0.withUnsafeBytes { bytes in
            var reader = WireReader(bytes)
            return try? reader.i32()
        } } ?? Int32(SLUICE_BATCH_FATAL.rawValue)
    }

    func flush() -> Int32 {
        guard let answer = lock.withLock({ runner })?.request(.flush) else { return Int32(SLUICE_STATUS_OK) }
        return answer.withUnsafeBytes { bytes in
            var reader = WireReader(bytes)
            return (try? reader.i32()) ?? Int32(SLUICE_STATUS_OK)
        }
    }

    /// destroy(): the runner destroys the plugin and exits; its image goes with it.
    func destroy() {
        let current = lock.withLock { () -> RunnerProcess? in
            stopped = true
            lock.broadcast()
            return runner
        }
        _ = current?.request(.destroy)
        if let current { _ = current.reap(grace: .seconds(2)) }
    }

    // MARK: Sending

    /// Writes the piece's records into the shared region (or, when they do not fit, inline bytes).
    private func encode(_ piece: IsolatedPiece, _ batch: UnsafeMutablePointer<sluice_batch>) {
        guard let messages = batch.pointee.messages else { return }
        let size = BatchEncoding.size(of: messages, piece.range)
        if let allocation = slots.allocate(size) {
            BatchEncoding.write(messages, piece.range, to: region.base + allocation.offset)
            piece.allocation = (allocation.offset, size)
            piece.slotLength = allocation.length
        } else {
            var bytes = [UInt8](repeating: 0, count: size)
            bytes.withUnsafeMutableBytes { BatchEncoding.write(messages, piece.range, to: $0.baseAddress!) }
            piece.inlineBytes = bytes
        }
    }

    /// Sends pieces to the current runner in order; while there is none (it
    /// is being replaced), they wait for the next one.
    private func dispatch(_ pieces: [IsolatedPiece]) {
        lock.withLock {
            guard let runner, !stopped else {
                waiting.append(contentsOf: pieces)
                return
            }
            for piece in pieces { send(piece, to: runner) }
        }
    }

    /// Sends one piece (holding `lock`: pieces leave in order). A send to a
    /// runner that just died fails; the piece is then in flight and goes to
    /// the next runner with the others.
    private func send(_ piece: IsolatedPiece, to runner: RunnerProcess) {
        piece.wireID = nextWire
        nextWire += 1
        piece.sentAt = ConditionLock.monotonicNow()
        inFlight[piece.wireID] = piece
        if let timers = piece.timers {
            runner.channel.send(.timers, tag: piece.wireID, timers.payload)
            return
        }
        guard let batch = batches[piece.hostBatchID]?.batch.pointee else {
            // Its batch was failed meanwhile (the runner could not start): nothing to send.
            inFlight[piece.wireID] = nil
            return
        }
        var writer = WireWriter(capacity: 64)
        if let allocation = piece.allocation {
            // A resent piece starts from OK results again.
            (region.base + allocation.offset + BatchEncoding.resultsOffset)
                .initializeMemory(as: UInt8.self, repeating: UInt8(SLUICE_RESULT_OK.rawValue), count: piece.range.count)
            writer.u64(UInt64(allocation.offset))
            writer.u64(UInt64(allocation.length))
        } else if let bytes = piece.inlineBytes {
            writer.data(bytes)
        }
        writer.string(String(cString: batch.topic))
        writer.i32(batch.partition)
        writer.u32(batch.attempt + UInt32(piece.crashes))
        runner.channel.send(piece.allocation == nil ? .inlineBatch : .batch, tag: piece.wireID, writer.bytes)
    }

    // MARK: Frames from the runner

    /// A frame from the runner of generation `frameGeneration`, on that
    /// runner's reader thread (nil: the runner ended). Frames are applied
    /// there, in order: applying one never waits for another frame of the
    /// same runner (the host calls it makes hand plugin calls to the worker
    /// pool), so no hop to another thread is needed. The end of a runner is
    /// handled there too; its successor has a reader of its own.
    private func received(_ frame: WireFrame?, generation frameGeneration: Int) {
        guard let frame else {
            if !lock.withLock({ stopped }) { recover(from: frameGeneration) }
            return
        }
        let outcome = frame.payload.withUnsafeBytes { bytes in
            Result { () throws(WireError) in try apply(frame, bytes, generation: frameGeneration) }
        }
        if case .failure(let error) = outcome {
            logger.error("isolated agent: a broken frame from its runner; restarting it", metadata: ["error": "\(error)"])
            lock.withLock { generation == frameGeneration ? runner : nil }?.kill()
        }
    }

    private func apply(_ frame: WireFrame, _ bytes: UnsafeRawBufferPointer, generation frameGeneration: Int) throws(WireError) {
        var reader = WireReader(bytes)
        switch frame.kind {
        case .batchDone:
            try finishPiece(wire: frame.tag, &reader)
        case .stateGet:
            let hostID = try hostBatch(of: try reader.u64())
            let table = try reader.data()
            let key = try reader.data()
            let box = ValueBox()
            let status = api.pointee.state_get(host, hostID, table.baseAddress?.assumingMemoryBound(to: CChar.self), table.count,
                                               key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count,
                                               { context, value, length in
                Unmanaged<ValueBox>.fromOpaque(context!).takeUnretainedValue().value = Array(UnsafeBufferPointer(start: value, count: value == nil ? 0 : length))
            }, Unmanaged.passUnretained(box).toOpaque())
            var writer = WireWriter()
            writer.i32(status)
            if status == SLUICE_STATE_FOUND { writer.data(box.value) }
            answer(frame.tag, writer.bytes, generation: frameGeneration)
        case .stateRange:
            let hostID = try hostBatch(of: try reader.u64())
            let table = try reader.data()
            let start = try reader.optionalData()
            let end = try reader.optionalData()
            let limit = Int(try reader.u64())
            let box = EntriesBox()
            let status = api.pointee.state_range(host, hostID, table.baseAddress?.assumingMemoryBound(to: CChar.self), table.count,
                                                 start?.baseAddress?.assumingMemoryBound(to: UInt8.self), start?.count ?? 0,
                                                 end?.baseAddress?.assumingMemoryBound(to: UInt8.self), end?.count ?? 0, limit,
                                                 { context, key, keyLength, value, valueLength in
                let entries = Unmanaged<EntriesBox>.fromOpaque(context!).takeUnretainedValue()
                entries.writer.data(UnsafeRawBufferPointer(start: key, count: key == nil ? 0 : keyLength))
                entries.writer.data(UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : valueLength))
                entries.count += 1
                return 0
            }, Unmanaged.passUnretained(box).toOpaque())
            var writer = WireWriter()
            writer.i64(status)
            if status >= 0 {
                writer.u32(UInt32(box.count))
                var payload = writer.bytes
                payload.append(contentsOf: box.writer.bytes)
                answer(frame.tag, payload, generation: frameGeneration)
            } else {
                answer(frame.tag, writer.bytes, generation: frameGeneration)
            }
        case .streamTime:
            let hostID = try hostBatch(of: try reader.u64())
            var writer = WireWriter()
            writer.i64(api.pointee.stream_time(host, hostID))
            answer(frame.tag, writer.bytes, generation: frameGeneration)
        case .traceContext:
            let hostID = try hostBatch(of: try reader.u64())
            var buffer = [CChar](repeating: 0, count: 64)
            let length = api.pointee.trace_context(host, hostID, &buffer, buffer.count)
            answer(frame.tag, buffer.prefix(length).map { UInt8(bitPattern: $0) }, generation: frameGeneration)
        case .log:
            let level = sluice_log_level(rawValue: UInt32(try reader.u8()))
            let text = try reader.data()
            api.pointee.log(host, level, text.baseAddress?.assumingMemoryBound(to: CChar.self), text.count)
        case .metric:
            let type = try reader.u8()
            let name = try reader.data()
            let value = try reader.f64()
            let namePointer = name.baseAddress?.assumingMemoryBound(to: CChar.self)
            switch type {
            case 0: api.pointee.counter_add(host, namePointer, name.count, Int64(value))
            case 1: api.pointee.gauge_set(host, namePointer, name.count, value)
            default: api.pointee.histogram_record(host, namePointer, name.count, value)
            }
        case .exceeded:
            let reason = try reader.string()
            lock.withLock { blame = (frame.tag, reason) }
        default:
            throw WireError("unexpected frame \(frame.kind) from the runner")
        }
    }

    /// The host batch a wire id belongs to (0 when it is no longer in flight: the host then refuses the call).
    private func hostBatch(of wire: UInt64) throws(WireError) -> UInt64 {
        lock.withLock { inFlight[wire]?.hostBatchID ?? 0 }
    }

    private func answer(_ tag: UInt64, _ payload: [UInt8], generation frameGeneration: Int) {
        let current = lock.withLock { generation == frameGeneration ? runner : nil }
        current?.channel.send(.reply, tag: tag, payload)
    }

    /// A piece is finished: its operations go to the host in order, then its results.
    private func finishPiece(wire: UInt64, _ reader: inout WireReader) throws(WireError) {
        guard let piece = lock.withLock({ () -> IsolatedPiece? in
            consecutiveCrashes = 0
            return inFlight.removeValue(forKey: wire)
        }) else { return }
        let status = try reader.i32()
        let inline = try reader.u8() == 1
        let inlineResults = inline ? try reader.data() : nil
        let hostID = piece.hostBatchID
        while !reader.isAtEnd {
            guard let operation = WireOperation(rawValue: try reader.u8()) else { throw WireError("unknown operation") }
            switch operation {
            case .produce:
                let topic = try reader.data()
                let partition = try reader.i32()
                let key = try reader.optionalData()
                let value = try reader.optionalData()
                let headerCount = Int(try reader.u32())
                var headers: [sluice_header] = []
                for _ in 0..<headerCount {
                    let name = try reader.data()
                    let headerValue = try reader.optionalData()
                    headers.append(sluice_header(name: name.baseAddress?.assumingMemoryBound(to: CChar.self), name_len: name.count,
                                                 value: headerValue?.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                 value_len: headerValue?.count ?? 0))
                }
                _ = headers.withUnsafeBufferPointer { items in
                    api.pointee.produce(host, hostID, topic.baseAddress?.assumingMemoryBound(to: CChar.self), topic.count, partition,
                                        key?.baseAddress?.assumingMemoryBound(to: UInt8.self), key?.count ?? 0,
                                        value?.baseAddress?.assumingMemoryBound(to: UInt8.self), value?.count ?? 0,
                                        items.baseAddress, items.count)
                }
            case .setError:
                let index = try reader.u64()
                let reason = try reader.data()
                let hostIndex = index == UInt64(SLUICE_BATCH_INDEX) ? Int(SLUICE_BATCH_INDEX) : piece.range.lowerBound + Int(index)
                api.pointee.set_error(host, hostID, hostIndex, reason.baseAddress?.assumingMemoryBound(to: CChar.self), reason.count)
            case .statePut:
                let table = try reader.data()
                let key = try reader.data()
                let value = try reader.optionalData()
                _ = api.pointee.state_put(host, hostID, table.baseAddress?.assumingMemoryBound(to: CChar.self), table.count,
                                          key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count,
                                          value?.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? (value == nil ? nil : UnsafePointer(bitPattern: 1)),
                                          value?.count ?? 0)
            case .timerSchedule:
                let clock = try reader.i32()
                let due = try reader.i64()
                let key = try reader.data()
                _ = api.pointee.timer_schedule(host, hostID, clock, due, key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count)
            case .timerCancel:
                let clock = try reader.i32()
                let key = try reader.data()
                _ = api.pointee.timer_cancel(host, hostID, clock, key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count)
            }
        }
        if let timers = piece.timers {
            var writer = WireWriter()
            writer.i32(status)
            timers.reply.fulfil(writer.bytes)
            return
        }
        let batch = lock.withLock { batches[hostID] }
        if let batch {
            let results = batch.batch.pointee.results! + piece.range.lowerBound
            if let inlineResults {
                inlineResults.withMemoryRebound(to: UInt8.self) { results.update(from: $0.baseAddress!, count: min($0.count, piece.range.count)) }
            } else if let allocation = piece.allocation {
                results.update(from: (region.base + allocation.offset + BatchEncoding.resultsOffset).assumingMemoryBound(to: UInt8.self),
                               count: piece.range.count)
            }
        }
        release(piece)
        if status == Int32(SLUICE_BATCH_FATAL.rawValue) { lock.withLock { batches[hostID]?.fatal = true } }
        finishBatch(hostID, records: piece.range.count)
    }

    private func release(_ piece: IsolatedPiece) {
        if let allocation = piece.allocation { slots.free(offset: allocation.offset, length: piece.slotLength) }
        piece.allocation = nil
        piece.inlineBytes = nil
    }

    /// `records` more records of host batch `hostID` are finished; the last completes it.
    private func finishBatch(_ hostID: UInt64, records: Int) {
        let done = lock.withLock { () -> IsolatedBatch? in
            guard let batch = batches[hostID] else { return nil }
            batch.remaining -= records
            guard batch.remaining <= 0 else { return nil }
            batches[hostID] = nil
            return batch
        }
        guard let done else { return }
        api.pointee.complete(host, hostID, done.fatal ? SLUICE_BATCH_FATAL : SLUICE_BATCH_DONE)
    }

    // MARK: Crashes

    /// The runner of `crashed` is gone: blames the piece it was running
    /// (or, outside a call, every piece it held), splits or dead-letters
    /// what crashed it too often, and starts the next runner with the rest.
    private func recover(from crashed: Int) {
        guard let old = lock.withLock({ generation == crashed && !stopped ? runner : nil }) else { return }
        lock.withLock { runner = nil }
        let ending = old.reap()
        let (crashedInCall, running) = takeControlBlock()
        var deadLetters: [(IsolatedPiece, String)] = []
        var timerFailures: [(IsolatedPiece, String)] = []
        let (reason, blamed, delay) = lock.withLock { () -> (String, [UInt64], Duration) in
            let reason: String
            // Who is to blame, most certain first: the batch the runner said
            // went over its memory, or the watchdog timed out; the batch whose
            // thread died of the signal; the batches inside the plugin then;
            // and, for a crash outside any plugin call, every batch it held.
            var suspects: Set<UInt64> = crashedInCall != 0 ? [crashedInCall] : running
            if let blame {
                reason = blame.reason
                if let wire = blame.wire { suspects = [wire] }
            } else if old.signal != nil {
                reason = "plugin crashed (\(ending))"
            } else {
                reason = "plugin runner ended (\(ending))"
            }
            blame = nil
            let pieces = inFlight.values.sorted(by: IsolatedPiece.sendsBefore)
            inFlight.removeAll()
            let blamedWires = pieces.filter { suspects.isEmpty || suspects.contains($0.wireID) }.map(\.wireID)
            var resend: [IsolatedPiece] = []
            for piece in pieces {
                guard blamedWires.contains(piece.wireID) else {
                    resend.append(piece)
                    continue
                }
                piece.crashes += 1
                // A record is dead-lettered on a crash only it can have caused; when
                // several were suspects (no signal named one), it takes two crashes more.
                let certain = blamedWires.count == 1
                if piece.crashes < piece.crashLimit || (!certain && piece.range.count <= 1 && piece.crashes < piece.crashLimit + 2) {
                    resend.append(piece)
                } else if piece.timers != nil {
                    timerFailures.append((piece, reason))
                } else if piece.range.count > 1 {
                    resend += split(piece)
                } else {
                    deadLetters.append((piece, reason))
                }
            }
            waiting = resend + waiting
            consecutiveCrashes += 1
            let delay = consecutiveCrashes <= 1 ? Duration.zero : min(.seconds(2), .milliseconds(20) * (1 << min(consecutiveCrashes - 2, 7)))
            return (reason, blamedWires, delay)
        }
        crashCounter.increment()
        // Counted on the agent's runner (the host handle), so each host counts its own.
        HostServicesTable.withRunner(host, orElse: ()) { $0.isolatedRunnerCrashes.add(1, ordering: .relaxed) }
        logger.warning("isolated agent's runner ended; starting a new one", metadata: [
            "reason": .string(reason), "blamed_pieces": .stringConvertible(blamed.count),
            "dead_lettered": .stringConvertible(deadLetters.count), "restart_delay_ms": .stringConvertible(delay.milliseconds),
        ])
        for (piece, reason) in deadLetters { deadLetter(piece, reason: reason) }
        for (piece, reason) in timerFailures {
            let text = "\(reason) in on_timer twice"
            text.withCString { api.pointee.set_error(host, piece.hostBatchID, Int(SLUICE_BATCH_INDEX), $0, strlen($0)) }
            var writer = WireWriter()
            writer.i32(Int32(SLUICE_BATCH_FATAL.rawValue))
            piece.timers?.reply.fulfil(writer.bytes)
        }
        restart(after: delay)
    }

    /// A generation number no runner had.
    private func nextGeneration() -> Int {
        lock.withLock {
            generations += 1
            return generations
        }
    }

    /// What the ended runner left in the control block (the batch whose
    /// thread died of a signal, and the batches inside the plugin), cleared
    /// for the next runner.
    private func takeControlBlock() -> (crashed: UInt64, running: Set<UInt64>) {
        let base = region.base
        let crashed = base.load(fromByteOffset: RegionControl.crashedBatch, as: UInt64.self)
        base.storeBytes(of: 0, toByteOffset: RegionControl.crashedBatch, as: UInt64.self)
        var running: Set<UInt64> = []
        for worker in 0..<RegionControl.maximumWorkers {
            let offset = RegionControl.runningSlots + 8 * worker
            let wire = base.load(fromByteOffset: offset, as: UInt64.self)
            if wire != 0 { running.insert(wire) }
            base.storeBytes(of: 0, toByteOffset: offset, as: UInt64.self)
        }
        return (crashed, running)
    }

    /// The halves of a piece that crashed its runners too often, to find the record that does.
    private func split(_ piece: IsolatedPiece) -> [IsolatedPiece] {
        guard let batch = batches[piece.hostBatchID] else { return [] }
        release(piece)
        let middle = piece.range.lowerBound + piece.range.count / 2
        return [piece.range.lowerBound..<middle, middle..<piece.range.upperBound].map { range in
            let half = IsolatedPiece(hostBatchID: piece.hostBatchID, range: range, isSplit: true, order: piece.order)
            encode(half, batch.batch)
            return half
        }
    }

    /// The one record of `piece` crashes the runner: dead-letter it with `reason`.
    private func deadLetter(_ piece: IsolatedPiece, reason: String) {
        release(piece)
        let index = piece.range.lowerBound
        if let batch = lock.withLock({ batches[piece.hostBatchID] }) {
            batch.batch.pointee.results![index] = UInt8(SLUICE_RESULT_DLQ.rawValue)
        }
        reason.withCString { api.pointee.set_error(host, piece.hostBatchID, index, $0, strlen($0)) }
        logger.error("isolated agent: a record crashes its plugin; dead-lettered", metadata: [
            "reason": .string(reason), "batch": .stringConvertible(piece.hostBatchID), "index": .stringConvertible(index)])
        finishBatch(piece.hostBatchID, records: 1)
    }

    /// Starts the next runner after `delay`, retrying while it cannot start,
    /// and sends it every waiting piece.
    private func restart(after delay: Duration) {
        var wait = delay
        var attempts = 0
        while !lock.withLock({ stopped }) {
            if wait > .zero { _ = lock.withLock { lock.wait(timeout: wait) { stopped } } }
            attempts += 1
            do {
                // Its own generation: the end of a runner that failed to start is then no crash of a later one.
                let next = nextGeneration()
                let fresh = try startRunner(generation: next)
                let opened = lock.withLock { partitions }
                for (topic, partition) in opened {
                    var writer = WireWriter()
                    writer.string(topic)
                    writer.i32(partition)
                    guard fresh.request(.open, writer.bytes) != nil else {
                        fresh.kill()
                        throw RunnerStartError("the runner ended while opening \(topic)[\(partition)] (\(fresh.reap()))")
                    }
                }
                let installed = lock.withLock { () -> Bool in
                    guard !stopped else { return false }
                    runner = fresh
                    generation = next
                    let backlog = waiting.sorted(by: IsolatedPiece.sendsBefore)
                    waiting.removeAll()
                    for piece in backlog { send(piece, to: fresh) }
                    return true
                }
                if !installed {
                    // The agent stopped while this runner started: it has nothing to do.
                    _ = fresh.request(.destroy)
                    _ = fresh.reap()
                }
                return
            } catch {
                logger.error("isolated agent: its runner could not start", metadata: [
                    "error": "\(error)", "attempt": .stringConvertible(attempts)])
                if attempts >= 5 {
                    failEverything("the isolated agent's runner could not start \(attempts) times: \(error)")
                    return
                }
                wait = min(.seconds(2), .milliseconds(100) * (1 << attempts))
            }
        }
    }

    /// Every batch waiting fails (FATAL): the agent stops, with the reason.
    private func failEverything(_ reason: String) {
        let (failed, timers) = lock.withLock { () -> ([UInt64], [IsolatedPiece]) in
            stopped = true
            let timers = waiting.filter { $0.timers != nil }
            waiting.removeAll()
            defer { batches.removeAll() }
            return (Array(batches.keys), timers)
        }
        for id in failed {
            reason.withCString { api.pointee.set_error(host, id, Int(SLUICE_BATCH_INDEX), $0, strlen($0)) }
            api.pointee.complete(host, id, SLUICE_BATCH_FATAL)
        }
        for piece in timers {
            var writer = WireWriter()
            writer.i32(Int32(SLUICE_BATCH_FATAL.rawValue))
            piece.timers?.reply.fulfil(writer.bytes)
        }
    }

    /// Starts a runner, has it load and create the plugin.
    private func startRunner(generation next: Int) throws(RunnerStartError) -> RunnerProcess {
        let fresh = try RunnerProcess(executable: plugin.runnerPath, agent: plugin.agent, region: region,
                                      memoryLimit: plugin.memoryLimit, nice: plugin.nice) { [self] frame in
            received(frame, generation: next)
        }
        var describe = WireWriter()
        describe.string(plugin.privatePath)
        guard let described = fresh.request(.describe, describe.bytes), described.first == DescribeOutcome.described.rawValue else {
            fresh.kill()
            throw RunnerStartError("the runner could not load \(plugin.privatePath) (it ended: \(fresh.reap()))")
        }
        guard let created = fresh.request(.create, config) else {
            fresh.kill()
            throw RunnerStartError("the plugin's create ended its runner (\(fresh.reap()))")
        }
        let failure = created.withUnsafeBytes { bytes -> String? in
            var reader = WireReader(bytes)
            guard let status = try? reader.i32(), status != SLUICE_STATUS_OK else { return nil }
            return (try? reader.string()) ?? "no reason given"
        }
        if let failure {
            _ = fresh.request(.destroy)
            fresh.kill()
            _ = fresh.reap()
            throw RunnerStartError(failure)
        }
        return fresh
    }

    // MARK: Limits

    /// Every 100 ms: kills a runner over `memory_limit`, or one that has held a
    /// piece longer than `batch_timeout`, naming why.
    private func watch() {
        while true {
            let stop = lock.withLock { lock.wait(timeout: .milliseconds(100)) { stopped } }
            if stop { return }
            let (current, oldest) = lock.withLock { (runner, inFlight.values.min { $0.sentAt < $1.sentAt }) }
            guard let current else { continue }
            if let limit = plugin.memoryLimit, let resident = ProcessMemory.resident(of: current.pid), resident > limit {
                lock.withLock {
                    if blame == nil {
                        blame = (nil, "exceeded memory_limit: resident \(resident >> 20) MiB, limit \(limit >> 20) MiB")
                    }
                }
                current.kill()
            } else if let oldest, ConditionLock.monotonicNow() - oldest.sentAt > plugin.batchTimeout {
                lock.withLock {
                    if blame == nil {
                        blame = (oldest.wireID, "did not finish within batch_timeout (\(DurationText.format(plugin.batchTimeout))): runner killed")
                    }
                }
                current.kill()
            }
        }
    }
}

/// A value a sink copied out.
private final class ValueBox: @unchecked Sendable {
    var value: [UInt8] = []
}

/// The entries a range visitor copied out.
private final class EntriesBox: @unchecked Sendable {
    var writer = WireWriter()
    var count = 0
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
