/// What happens to a record whose retries are exhausted.
public enum FailurePolicy: String, Sendable, Equatable, CaseIterable {
    /// Send it to the agent's dead-letter topic, with headers naming the error,
    /// and move on (yaml: `dead_letter`).
    case deadLetter = "dead_letter"
    /// Stop consuming its partition until an operator resumes it (yaml: `pause`).
    case pause
}
