/// What ``Agent/handle(_:context:)`` decided for one record.
public enum Outcome: Sendable, Hashable {
    /// Finished; the offset may be committed.
    case ok
    /// Deliberately ignored; counts as finished.
    case skip
    /// Redeliver later, with backoff (the host dead-letters once retries run out).
    case retry(reason: String)
    /// Send the record to the dead-letter topic with this reason.
    case deadLetter(reason: String)
}
