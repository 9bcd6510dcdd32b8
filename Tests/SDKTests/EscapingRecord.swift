/// A record type that keeps its keyed container past its decode, as the
/// exit tests of misused containers need (each runs in a process of its own).
struct EscapingRecord: Decodable {
    final class Kept: @unchecked Sendable {
        // @unchecked: written and read by the one thread of an exit test.
        var container: KeyedDecodingContainer<CodingKeys>?
    }

    static let kept = Kept()
    enum CodingKeys: String, CodingKey { case name }

    init(from decoder: any Decoder) throws {
        Self.kept.container = try decoder.container(keyedBy: CodingKeys.self)
    }
}
