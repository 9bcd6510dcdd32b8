/// Why a record cannot be turned into commands: the message is dead-lettered
/// with this reason (it names the field).
public struct RenderFailure: Error {
    /// What is wrong, naming the field (e.g. `missing field 'user'`).
    public let reason: String
}
