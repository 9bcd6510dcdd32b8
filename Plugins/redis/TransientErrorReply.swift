/// Redis error replies that say "not now" rather than "never": the server is
/// loading its dataset after a restart, busy with a script, or a replica or
/// cluster is between states. The same command succeeds later, so the
/// record is retried instead of dead-lettered.
enum TransientErrorReply {
    /// Error codes (the reply's first word) that are transient.
    static let codes: Set<Substring> = [
        "LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN", "NOREPLICAS", "READONLY",
    ]

    /// Whether the error reply `text` is transient.
    static func matches(_ text: String) -> Bool {
        codes.contains(text.prefix { $0 != " " })
    }
}
