import SluiceInfluxDBPlugin
import Testing

/// Exact RFC 3339 parsing and formatting in nanoseconds.
@Suite("Timestamp")
struct TimestampTests {
    @Test("parses zones, fractions and the space separator exactly", arguments: [
        ("2023-11-14T22:13:20Z", Int64(1_700_000_000_000_000_000)),
        ("2023-11-14T22:13:20.000000001Z", 1_700_000_000_000_000_001),
        ("2023-11-14T23:13:20.5+01:00", 1_700_000_000_500_000_000),
        ("2023-11-14T21:13:20-0100", 1_700_000_000_000_000_000),
        ("2023-11-14 22:13:20Z", 1_700_000_000_000_000_000),
        ("1969-12-31T23:59:59.9Z", -100_000_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000_000_000),
    ])
    func parses(_ text: String, _ nanoseconds: Int64) {
        #expect(Timestamp(rfc3339: text)?.nanoseconds == nanoseconds)
    }

    @Test("refuses malformed times and times without a zone", arguments: [
        "2023-11-14T22:13:20", "2023-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2023-11-14T22:13Z",
        "2023-11-14T22:13:20.Z", "yesterday", "", "2023-11-14T22:13:20Z trailing", "9999-01-01T00:00:00Z",
    ])
    func refuses(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test("formats like Go's RFC3339Nano and round-trips")
    func formats() {
        #expect(Timestamp(nanoseconds: 1_700_000_000_000_000_000).rfc3339 == "2023-11-14T22:13:20Z")
        #expect(Timestamp(nanoseconds: 1_700_000_000_120_000_000).rfc3339 == "2023-11-14T22:13:20.12Z")
        #expect(Timestamp(nanoseconds: -1).rfc3339 == "1969-12-31T23:59:59.999999999Z")
        for value: Int64 in [0, 1, -1, 951_782_400_123_456_789, -2_000_000_000_000_000_000] {
            #expect(Timestamp(rfc3339: Timestamp(nanoseconds: value).rfc3339)?.nanoseconds == value)
        }
    }

    @Test("precision conversion rounds toward the past")
    func precision() {
        #expect(Timestamp(nanoseconds: 1_999_999_999).value(in: .seconds) == 1)
        #expect(Timestamp(nanoseconds: -1).value(in: .seconds) == -1)
        #expect(Timestamp(value: 3, precision: .hours)?.nanoseconds == 10_800_000_000_000)
        #expect(Timestamp(value: .max, precision: .seconds) == nil)
    }
}
