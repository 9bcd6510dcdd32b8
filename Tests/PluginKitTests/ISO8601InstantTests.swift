import SluicePluginKit
import Testing

/// Exact ISO-8601 instants, in both forms the plugins use.
@Suite("ISO8601Instant")
struct ISO8601InstantTests {
    @Test("the lenient form reads dates, minutes, missing zones and short offsets", arguments: [
        ("2019-05-21", Int64(1_558_396_800), Int64(0)),
        ("2019-05-21T13:55", 1_558_446_900, 0),
        ("2019-05-21T13:55:12.123Z", 1_558_446_912, 123_000_000),
        ("2019-05-21 15:55:12+02", 1_558_446_912, 0),
        ("2019-05-21T13:55:12,5", 1_558_446_912, 500_000_000),
        ("2016-12-31T23:59:60Z", 1_483_228_800, 0),
        ("1969-12-31T23:59:59.9Z", -1, 900_000_000),
        ("2019-05-21T13:55:12.1234567891Z", 1_558_446_912, 123_456_789),
    ])
    func lenient(_ text: String, _ seconds: Int64, _ nanoseconds: Int64) throws {
        let instant = try #require(ISO8601Instant(text))
        #expect(instant.seconds == seconds)
        #expect(instant.nanoseconds == nanoseconds)
    }

    @Test("RFC 3339 needs seconds and a zone", arguments: [
        "2019-05-21", "2019-05-21T13:55Z", "2019-05-21T13:55:12", "2019-05-21T13:55:12.Z",
    ])
    func rfc3339Refuses(_ text: String) {
        #expect(ISO8601Instant(text, form: .rfc3339) == nil)
    }

    @Test("malformed text is refused in both forms", arguments: [
        "", "yesterday", "2019-02-29", "2019-13-01T00:00:00Z", "2019-05-21T24:00:00Z", "2019-05-21T13:55:12Z trailing",
    ])
    func refuses(_ text: String) {
        #expect(ISO8601Instant(text) == nil)
        #expect(ISO8601Instant(text, form: .rfc3339) == nil)
    }

    @Test("epoch renderings are exact, before and after 1970")
    func renderings() throws {
        let after = try #require(ISO8601Instant("2019-05-21T13:55:12.120Z"))
        #expect(after.epochSecondsText == "1558446912.12")
        #expect(after.epochMilliseconds == 1_558_446_912_120)
        let before = try #require(ISO8601Instant("1969-12-31T23:59:59.5Z"))
        #expect(before.epochSecondsText == "-0.5")
        #expect(before.epochMilliseconds == -500)
        #expect(try #require(ISO8601Instant("2019-05-21")).epochSecondsText == "1558396800")
        #expect(try #require(ISO8601Instant("1969-12-30T23:59:58.25Z")).epochSecondsText == "-86401.75")
        #expect(try #require(ISO8601Instant("1970-01-01T00:00:00.000000001Z")).epochSecondsText == "0.000000001")
        #expect(try #require(ISO8601Instant("1970-01-01T00:00:00Z")).epochSecondsText == "0")
        var bytes: [UInt8] = []
        try #require(ISO8601Instant("1969-12-31T23:59:59.5Z")).appendEpochMilliseconds(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "-500")
    }
}
