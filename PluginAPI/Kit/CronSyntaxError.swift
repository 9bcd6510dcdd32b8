/// A cron expression that cannot be read, with the field and the reason.
public struct CronSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The whole expression as given.
    public let expression: String
    /// What is wrong, naming the field (`minute`, `hour`, `day of month`, `month`, `day of week`).
    public let reason: String

    /// An error for `expression` saying `reason`.
    public init(expression: String, reason: String) {
        self.expression = expression
        self.reason = reason
    }

    public var description: String { "invalid cron expression '\(expression)': \(reason)" }
}
