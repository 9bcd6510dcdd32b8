import SluiceInfluxDBPlugin
import SluicePluginKit
import Testing

/// The enrich query: identifiers quoted, message values only as bound parameters.
@Suite("Price query")
struct PriceQueryTests {
    private let hostile = [
        "AAPL' OR 1=1 --", #"AAPL" OR 1=1 --"#, #"back\slash\"#, "new\nline; DROP DATABASE x", "$symbol1", "", "ÄÖ🙂",
    ]

    @Test("statements carry only quoted identifiers and parameter names")
    func statementText() {
        var query = PriceQuery(measurement: #"market "data""#, field: "price", tag: "symbol", retentionPolicy: "autogen")
        for symbol in hostile { _ = query.add(.init(symbol: symbol, time: Timestamp(nanoseconds: 0))) }
        #expect(query.statement(0) == #"SELECT last("price") FROM "autogen"."market \"data\"" WHERE "symbol" = $symbol0 AND time <= $time0"#)
        // ("$symbol1" is also a parameter name, so it is in the text by design.)
        for symbol in hostile where !symbol.isEmpty && !symbol.hasPrefix("$") {
            #expect(!query.text.contains(symbol), "a message value leaked into the query text: \(symbol)")
        }
        #expect(query.text.components(separatedBy: "; ").count == hostile.count)
    }

    @Test("parameters are a JSON object that gives back every value exactly")
    func parameters() throws {
        var query = PriceQuery(measurement: "marketdata", field: "price", tag: "symbol")
        let time = try #require(Timestamp(rfc3339: "2023-11-14T22:13:20.000000001Z"))
        for symbol in hostile { _ = query.add(.init(symbol: symbol, time: time)) }
        let parsed = try JSONValue.parse(query.parameters)
        for (index, symbol) in hostile.enumerated() {
            #expect(parsed["symbol\(index)"] == .string(symbol))
            #expect(parsed["time\(index)"] == .string("2023-11-14T22:13:20.000000001Z"))
        }
    }

    @Test("identical lookups share one statement")
    func deduplicates() {
        var query = PriceQuery(measurement: "m", field: "f", tag: "t")
        let a = query.add(.init(symbol: "A", time: Timestamp(nanoseconds: 1)))
        let b = query.add(.init(symbol: "B", time: Timestamp(nanoseconds: 1)))
        let again = query.add(.init(symbol: "A", time: Timestamp(nanoseconds: 1)))
        #expect(a == 0 && b == 1 && again == 0)
        #expect(query.lookups.count == 2)
    }

    @Test("string literals and identifiers escape their delimiters and backslashes")
    func quoting() {
        #expect(InfluxQL.quoteString(#"it's \ ok"#) == #"'it\'s \\ ok'"#)
        #expect(InfluxQL.quoteIdentifier(#"a"b\c"#) == #""a\"b\\c""#)
    }

    @Test("responses: price as written, missing, per-statement error, unanswered")
    func response() throws {
        let body = #"""
            {"results":[
              {"statement_id":0,"series":[{"name":"marketdata","columns":["time","last"],"values":[["2023-11-14T22:13:20Z",100.50]]}]},
              {"statement_id":1},
              {"statement_id":2,"error":"database not found: x"},
              {"statement_id":3,"series":[{"name":"marketdata","columns":["time","last"],"values":[["2023-11-14T22:13:20Z",42]]}]}
            ]}
            """#
        let answers = try PriceQueryResponse(body: Array(body.utf8), statementCount: 5).answers
        #expect(answers[0] == .price(.number("100.50")))
        #expect(answers[1] == .missing)
        #expect(answers[2] == .error("InfluxDB: database not found: x"))
        #expect(answers[3] == .price(.number("42")))
        guard case .error = answers[4] else { Issue.record("an unanswered statement must be an error"); return }
    }

    @Test("a whole-query error or a non-JSON body is malformed")
    func malformed() {
        #expect(throws: PriceQueryResponse.Malformed.self) {
            try PriceQueryResponse(body: Array(#"{"error":"error parsing query"}"#.utf8), statementCount: 1)
        }
        #expect(throws: PriceQueryResponse.Malformed.self) {
            try PriceQueryResponse(body: Array("<html>".utf8), statementCount: 1)
        }
    }
}
