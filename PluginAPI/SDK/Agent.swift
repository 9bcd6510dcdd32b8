import Foundation

/// The typed, high-level way to write an agent: one decoded record at a time,
/// `async`, errors as results.
///
/// The SDK answers every batch with `SLUICE_BATCH_PENDING` and runs **one task
/// per batch** that decodes each message's value as JSON into ``Input``, calls
/// ``handle(_:context:)`` for the records in offset order, writes the results
/// and calls the host's `complete()`. Batches of one partition are processed one
/// after the other, in order, even while the host keeps delivering.
///
/// Where the code runs: every instance starts a few threads of its own in
/// `create` (named `sluice-sdk-<name>`) and stops them in `destroy`. The batch
/// tasks prefer them as their task executor, so ``handle(_:context:)``, the
/// child tasks it starts (`async let`, task groups) and its code after every
/// `await` run there, never on Swift concurrency's global cooperative pool,
/// which is shared with the host and which blocking code could exhaust. An
/// unstructured `Task { }` started by the agent does not inherit this and runs
/// on the global pool; prefer child tasks.
///
/// How outcomes map to per-message results:
/// - a returned ``Outcome`` maps one to one;
/// - a value that is not valid JSON for ``Input`` → dead-letter, with a reason
///   naming what failed (`invalid JSON value: missing key 'user_id'`);
/// - a thrown ``AgentError`` → its case (``AgentError/fatal(_:)`` stops the
///   agent);
/// - any other thrown error → retry, with the error's description as reason
///   (transient by default; the host dead-letters once retries run out).
///
/// ```swift
/// struct Greeter: Agent {
///     struct Input: Decodable { let name: String }
///     static let name = "greeter"
///     static let topics = ["people"]
///     static let capabilities: Capabilities = [.produces]
///     init(configuration: EmptyConfiguration, host: HostServices) {}
///     func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome {
///         try context.produce(topic: "greetings", key: record.key, value: "hello \(record.value.name)")
///         return .ok
///     }
/// }
/// ```
public protocol Agent: SluiceAgent {
    /// The type each message value is decoded into (from JSON).
    associatedtype Input: Decodable

    /// Handles one record. Runs on the batch's task, on the instance's own
    /// threads; records of one partition never run concurrently.
    ///
    /// `nonisolated(nonsending)`: it runs where the SDK's loop calls it, so
    /// entering it costs no executor hop (a plain `async` implementation is
    /// inferred the same). What it awaits still runs wherever that code runs.
    nonisolated(nonsending) func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome

    /// Handles a message whose value is null (a tombstone). Default: ``Outcome/skip``.
    nonisolated(nonsending) func handleTombstone(key: [UInt8]?, context: AgentContext) async throws -> Outcome

    /// Pushes out buffered work (the C `flush` hook), after every pending batch
    /// has completed. Runs on the instance's own threads while the host's
    /// control thread waits for it. Default: nothing.
    func flush() async throws

    /// How message values are read (the date strategy, `userInfo`) by the
    /// SDK's own JSON decoder, ``RecordDecoder``. Default: ``DecodingOptions/init(dateStrategy:userInfo:)``.
    static var decodingOptions: DecodingOptions { get }

    /// Foundation's decoder for message values, **the slow path**: an agent
    /// that overrides this (for a key strategy, say) has its values decoded
    /// by the returned `JSONDecoder`, one made per batch, at several times the
    /// cost per record. Without an override the SDK decodes with
    /// ``RecordDecoder`` and ``decodingOptions``.
    static func makeDecoder() -> JSONDecoder

    // MARK: Tables, windows and timers (ABI 1.2)

    /// The tables the agent keeps, per input partition (see
    /// ``TableDeclaration``). Declaring any makes the agent stateful: a
    /// batch's table writes stand only if all its records finish (OK, skip
    /// or dead-letter); a retried batch's writes are dropped and the batch
    /// comes again, so state is applied exactly once while produced records
    /// stay at-least-once; a partition runs one batch at a time. It needs a
    /// host with ABI 1.2 state support and one input topic. Default: none.
    static var tables: [TableDeclaration] { get }

    /// This instance's table declarations: ``tables`` unless the agent
    /// overrides it, e.g. to take a window's size from its configuration.
    /// The host learns the table names before any configuration, so only the
    /// tables named in ``tables`` count; their windowing, grace, emit policy
    /// and topic may differ (a windowed table stays windowed). Default: ``tables``.
    var tableDeclarations: [TableDeclaration] { get }

    /// Recurring wall-clock timers (``TimerDeclaration/every(_:name:)``,
    /// ``TimerDeclaration/cron(_:name:)``), per partition. Default: none.
    static var timers: [TimerDeclaration] { get }

    /// Whether the agent receives timers: true when it declares ``timers`` or
    /// schedules its own (``AgentContext/scheduleTimer(_:at:clock:)``).
    /// Windowed tables need no flag. Default: `!timers.isEmpty`.
    static var handlesTimers: Bool { get }

    /// A declared or scheduled timer is due. Runs on the partition's lane
    /// (never beside one of its batches), on the instance's threads; the
    /// host waits until it returns. Its table writes stand once every due
    /// timer of the firing was handled. Throwing ``AgentError/fatal(_:)``
    /// stops the agent; any other error is logged and counted in
    /// `sluice_plugin_timer_errors`, and the firing is not repeated.
    /// Default: nothing.
    nonisolated(nonsending) func onTimer(_ timer: TimerFiring, context: AgentContext) async throws

    /// A windowed table emits a window's value: when the window closes, or
    /// on every update (see ``WindowEmitPolicy``). Produce what you like with
    /// `context.produce`. Errors are handled as in ``onTimer(_:context:)``
    /// on close, and as in ``handle(_:context:)`` on update. Default: nothing
    /// (a table declared with a topic is produced there by the SDK anyway).
    nonisolated(nonsending) func windowEmitted(_ emission: WindowEmission, context: AgentContext) async throws
}

extension Agent {
    /// Default: skip tombstones.
    public nonisolated(nonsending) func handleTombstone(key: [UInt8]?, context: AgentContext) async throws -> Outcome { .skip }
    /// Default: nothing buffered.
    public func flush() async throws {}
    /// Default: the defaults (dates as `Date`'s own `Decodable` reads them).
    public static var decodingOptions: DecodingOptions { DecodingOptions() }
    /// Default: no tables.
    public static var tables: [TableDeclaration] { [] }
    /// Default: ``tables``.
    public var tableDeclarations: [TableDeclaration] { Self.tables }
    /// Default: no timers.
    public static var timers: [TimerDeclaration] { [] }
    /// Default: whether any timer is declared.
    public static var handlesTimers: Bool { !timers.isEmpty }
    /// Default: nothing.
    public nonisolated(nonsending) func onTimer(_ timer: TimerFiring, context: AgentContext) async throws {}
    /// Default: nothing.
    public nonisolated(nonsending) func windowEmitted(_ emission: WindowEmission, context: AgentContext) async throws {}
    /// Default: a `JSONDecoder()` marked as the default, which tells the SDK
    /// to use ``RecordDecoder`` instead.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[ValueDecoding.defaultMarker] = true
        return decoder
    }
}
