/// Why a record cannot be handled (it is dead-lettered with this reason).
struct RecordRejection: Error, Sendable, CustomStringConvertible {
    /// The reason, e.g. `the order has no 'symbol'`.
    let description: String
    init(_ description: String) { self.description = description }
}
