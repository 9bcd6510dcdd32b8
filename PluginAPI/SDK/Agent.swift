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
    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome

    /// Handles a message whose value is null (a tombstone). Default: ``Outcome/skip``.
    func handleTombstone(key: [UInt8]?, context: AgentContext) async throws -> Outcome

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
}

extension Agent {
    /// Default: skip tombstones.
    public func handleTombstone(key: [UInt8]?, context: AgentContext) async throws -> Outcome { .skip }
    /// Default: nothing buffered.
    public func flush() async throws {}
    /// Default: the defaults (dates as `Date`'s own `Decodable` reads them).
    public static var decodingOptions: DecodingOptions { DecodingOptions() }
    /// Default: a `JSONDecoder()` marked as the default, which tells the SDK
    /// to use ``RecordDecoder`` instead.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[ValueDecoding.defaultMarker] = true
        return decoder
    }
}
