import SluiceHost

/// Starts `runtime`, runs `body` with it, and stops it — when `body` returns
/// and when it (or the start) throws; the error is rethrown after the stop.
/// What `body` returns is returned once the host has stopped, so assertions
/// about committed offsets or flushed output can follow the call.
///
/// Start and stop are the runtime's async ones: the drains happen on the
/// host's threads, not on the cooperative threads the test (and the agents'
/// tasks inside Swift plugins) run on.
@discardableResult
public func withRuntime<Value>(_ runtime: SluiceRuntime,
                                _ body: (SluiceRuntime) async throws -> Value) async throws -> Value {
    let result: Value
    do {
        try await runtime.start()
        result = try await body(runtime)
    } catch {
        await runtime.stop()
        throw error
    }
    await runtime.stop()
    return result
}
