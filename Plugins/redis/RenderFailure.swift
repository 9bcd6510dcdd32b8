/// Why a record cannot be turned into commands: the message is dead-lettered
/// with this reason (it names the field).
struct RenderFailure: Error {
    let reason: String
}
