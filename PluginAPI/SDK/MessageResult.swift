import CSluicePlugin

/// A per-message result, as written into `sluice_batch.results`.
public enum MessageResult: UInt8, Sendable, Hashable, CaseIterable {
    /// Finished; the offset may be committed (`SLUICE_RESULT_OK`).
    case ok = 0
    /// Redeliver later, with backoff (`SLUICE_RESULT_RETRY`).
    case retry = 1
    /// Send to the dead-letter topic (`SLUICE_RESULT_DLQ`).
    case deadLetter = 2
    /// Deliberately ignored; counts as finished (`SLUICE_RESULT_SKIP`).
    case skip = 3
}
