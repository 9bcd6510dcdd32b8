/// A `config_schema` that cannot be read: not JSON, or a keyword Sluice
/// checks with a value of the wrong kind (`"minimum": "1"`).
public struct ConfigSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the schema (a JSON Pointer-like path, `/properties/ttl/minimum`; "" for the whole).
    public let location: String
    /// What is wrong.
    public let problem: String

    /// An error at `location`.
    public init(location: String, problem: String) {
        self.location = location
        self.problem = problem
    }

    /// `config_schema /properties/ttl/minimum: expected a number`.
    public var description: String {
        location.isEmpty ? "config_schema: \(problem)" : "config_schema \(location): \(problem)"
    }
}
