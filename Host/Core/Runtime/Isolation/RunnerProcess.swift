import CIsolation
import Foundation
import SluiceIsolationWire
import Synchronization

/// One `sluice-plugin-runner` child: its process, its socket, and the
/// requests waiting for its answers. Its reader thread answers waiters and
/// hands every other frame, then the end of the connection, to `deliver`.
final class RunnerProcess: Sendable {
    /// The child's process id.
    let pid: pid_t
    /// The host's end of the socket.
    let channel: FrameChannel
    private let waiters = Mutex<(next: UInt64, open: [UInt64: ReplyWaiter], ended: Bool)>((1, [:], false))
    private let exitStatus = Mutex<Int32?>(nil)

    /// What the reader thread hands on: a frame, or nil once the runner is gone.
    typealias Delivery = @Sendable (WireFrame?) -> Void

    /// Starts the runner at `executable` for agent `agent` with the shared
    /// region `region`, and its reader thread.
    init(executable: String, agent: String, region: SharedRegion, memoryLimit: Int?, nice: Int,
         deliver: @escaping Delivery) throws(RunnerStartError) {
        var sockets: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &sockets) == 0 else {
            throw RunnerStartError("socketpair failed: \(String(cString: strerror(errno)))")
        }
        // The child's descriptors 3 and 4 are dup2 targets: sources must not already be 3 or 4.
        let childSocket = fcntl(sockets[1], F_DUPFD_CLOEXEC, 10)
        let childRegion = fcntl(region.descriptor, F_DUPFD_CLOEXEC, 10)
        close(sockets[1])
        defer {
            close(childSocket)
            close(childRegion)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childSocket, 3)
        posix_spawn_file_actions_adddup2(&actions, childRegion, 4)
        _ = sluice_isolation_close_from(&actions, 5)
        // As many plugin threads as the host has cores (at least 2): batches of different partitions run at once, as in-process.
        let workers = max(2, ProcessInfo.processInfo.activeProcessorCount)
        var arguments = [executable, "--agent", agent, "--nice", String(nice), "--workers", String(workers)]
        if let memoryLimit { arguments += ["--memory-limit", String(memoryLimit)] }
        // The host's own secrets stay in the host: a runner is where code the
        // operator may not trust runs.
        var environment = ProcessInfo.processInfo.environment.filter { !Self.hostSecret($0.key) }
        // A crash is the runner's expected way to fail: no symbolicated backtrace, which takes seconds.
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            close(sockets[0])
            throw RunnerStartError("posix_spawn of \(executable) failed: \(String(cString: strerror(spawned)))")
        }
        pid = child
        channel = FrameChannel(descriptor: sockets[0])
        DedicatedThread.start("sluice-isoread") { [self] in
            while let frame = channel.receive() {
                if frame.kind == .reply {
                    let waiter = waiters.withLock { $0.open.removeValue(forKey: frame.tag) }
                    waiter?.fulfil(frame.payload)
                } else {
                    deliver(frame)
                }
            }
            let orphaned = waiters.withLock { state -> [ReplyWaiter] in
                state.ended = true
                defer { state.open.removeAll() }
                return Array(state.open.values)
            }
            orphaned.forEach { $0.fulfil(nil) }
            deliver(nil)
        }
    }

    deinit { channel.close() }

    /// The host's own secret variables (its admin token, its Kafka credentials),
    /// which a runner does not inherit.
    static func hostSecret(_ name: String) -> Bool {
        name == "SLUICE_ADMIN_TOKEN" || name.hasPrefix("SLUICE_KAFKA_SASL") || name.hasPrefix("SLUICE_KAFKA_SSL")
    }

    /// Sends a request and waits (on the caller's thread, never a cooperative
    /// one) for the answer; nil when the runner is gone first.
    func request(_ kind: WireFrameKind, _ payload: [UInt8] = []) -> [UInt8]? {
        let waiter = ReplyWaiter()
        guard let id = waiters.withLock({ state -> UInt64? in
            guard !state.ended else { return nil }
            defer { state.next += 1 }
            state.open[state.next] = waiter
            return state.next
        }) else { return nil }
        guard channel.send(kind, tag: id, payload) else {
            waiters.withLock { _ = $0.open.removeValue(forKey: id) }
            return nil
        }
        return waiter.wait()
    }

    /// Kills the runner (SIGKILL) if it still runs.
    func kill() {
        if exitStatus.withLock({ $0 }) == nil { _ = Glibc.kill(pid, SIGKILL) }
    }

    /// Waits for the runner to end (killing it when it has not within
    /// `grace`) and says how it ended: `SIGSEGV`, `exit status 3`, ….
    func reap(grace: Duration = .milliseconds(200)) -> String {
        if let status = exitStatus.withLock({ $0 }) { return Self.describe(status) }
        let deadline = ConditionLock.monotonicNow() + grace
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) { break }
            if ConditionLock.monotonicNow() > deadline {
                _ = Glibc.kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                break
            }
            usleep(2000)
        }
        exitStatus.withLock { $0 = status }
        return Self.describe(status)
    }

    /// The signal that ended the runner, or nil when it exited.
    var signal: Int32? {
        guard let status = exitStatus.withLock({ $0 }) else { return nil }
        let signal = status & 0x7f
        return signal != 0 && signal != 0x7f ? signal : nil
    }

    private static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal != 0 && signal != 0x7f { return SignalName.of(signal) }
        return "exit status \((status >> 8) & 0xff)"
    }
}

/// A runner that could not be started.
struct RunnerStartError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
