import CSluicePlugin

/// What a finished delivery's per-record results say, read once from the
/// plugin's result array (never per record on the host's side afterwards):
/// how many records finished, and which asked for a retry or a dead letter.
struct DeliveryResults: Sendable, Equatable {
    /// Records that finished (OK or SKIP).
    var finished: Int
    /// Indices of records the plugin asked to retry, ascending.
    var retries: [Int]
    /// Records to dead-letter, ascending.
    var deadLetters: [DeadLetterResult]

    /// A record to dead-letter: its index, and a reason when the host supplies
    /// one (an invalid result value); nil: the plugin's reason.
    struct DeadLetterResult: Sendable, Equatable {
        var index: Int
        var hostReason: String?
    }

    /// Every record finished.
    static func allFinished(_ count: Int) -> DeliveryResults {
        DeliveryResults(finished: count, retries: [], deadLetters: [])
    }

    /// Reads `results` (one `sluice_result` byte per record).
    init(results: UnsafeBufferPointer<UInt8>) {
        finished = 0
        retries = []
        deadLetters = []
        for index in results.indices {
            switch Int32(results[index]) {
            case Int32(SLUICE_RESULT_OK.rawValue), Int32(SLUICE_RESULT_SKIP.rawValue):
                finished += 1
            case Int32(SLUICE_RESULT_RETRY.rawValue):
                retries.append(index)
            case Int32(SLUICE_RESULT_DLQ.rawValue):
                deadLetters.append(.init(index: index, hostReason: nil))
            default:
                deadLetters.append(.init(index: index, hostReason: "plugin wrote result \(results[index]), which is not a sluice_result"))
            }
        }
    }

    /// A summary built directly (tests, and the machine's own redeliveries).
    init(finished: Int, retries: [Int], deadLetters: [DeadLetterResult]) {
        self.finished = finished
        self.retries = retries
        self.deadLetters = deadLetters
    }
}
