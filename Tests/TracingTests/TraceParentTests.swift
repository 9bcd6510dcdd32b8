import SluiceHost
import Testing

/// `traceparent` parsing and formatting (W3C trace context, version 00).
@Suite("traceparent")
struct TraceParentTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test("a valid value parses into its parts and formats back to the same 55 characters")
    func roundTrip() throws {
        let trace = try #require(TraceParent(Self.valid))
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.parentID == "00f067aa0ba902b7")
        #expect(trace.flags == 1)
        #expect(trace.isSampled)
        #expect(trace.description == Self.valid)
        #expect(trace.bytes.count == TraceParent.length)
    }

    @Test("flags 00: not sampled, and formatted with two digits")
    func unsampled() throws {
        let trace = try #require(TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        #expect(!trace.isSampled)
        #expect(trace.description.hasSuffix("-00"))
    }

    @Test("ids with leading zeros keep their width")
    func leadingZeros() throws {
        let trace = try #require(TraceParent(traceIDHigh: 0, traceIDLow: 1, spanID: 2, flags: 0x0f))
        #expect(trace.description == "00-00000000000000000000000000000001-0000000000000002-0f")
        #expect(TraceParent(trace.description) == trace)
    }

    @Test("refused: all-zero trace id, all-zero parent id, version ff, bad lengths, separators, case and digits",
          arguments: [
              "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // trace id all zero
              "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // parent id all zero
              "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff is invalid
              "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",  // 54 characters
              "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", // version 00 is exactly 55
              "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // separator
              "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
              "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
              "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", // not hex
              "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
              "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
              "",
          ])
    func refused(_ text: String) {
        #expect(TraceParent(text) == nil, "\(text.debugDescription) was accepted")
    }

    @Test("a later version is read by its version-00 prefix; more after it must start with '-'")
    func futureVersion() throws {
        let trace = try #require(TraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next"))
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(TraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x") == nil)
        #expect(TraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") != nil)
    }

    @Test("parts with a zero id are refused")
    func zeroParts() {
        #expect(TraceParent(traceIDHigh: 0, traceIDLow: 0, spanID: 1, flags: 1) == nil)
        #expect(TraceParent(traceIDHigh: 1, traceIDLow: 0, spanID: 0, flags: 1) == nil)
    }

    @Test("the header name matches in any ASCII case, and only that name")
    func headerName() {
        #expect(TraceParent.isHeaderName("traceparent"))
        #expect(TraceParent.isHeaderName("TraceParent"))
        #expect(TraceParent.isHeaderName("TRACEPARENT"))
        #expect(!TraceParent.isHeaderName("tracestate"))
        #expect(!TraceParent.isHeaderName("traceparent "))
        #expect(!TraceParent.isHeaderName("traceparen"))
        #expect(!TraceParent.isHeaderName("trace\u{0}arent"))
    }
}
