/// The configuration of an agent that takes none: decodes from any JSON
/// object, `{}` included.
public struct EmptyConfiguration: Decodable, Sendable, Hashable {
    /// The empty configuration.
    public init() {}
    /// Accepts any JSON object (unknown keys are ignored, as everywhere).
    public init(from decoder: any Decoder) throws {
        _ = try decoder.container(keyedBy: AnyKey.self)
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
