import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// The status page at `/`, loaded by a real browser (headless chromium) from
/// a running host: what it shows must be what `GET /agents` says.
///
/// The screenshot of the first test is kept as a test artifact in
/// `.build/test-artifacts/status-page.png`.
@Suite("Status page in a real browser")
struct StatusPageBrowserTests {
    static let artifact = RepositoryPaths.path(".build/test-artifacts/status-page.png")

    /// `/agents` as JSON, read with `token` when one is given.
    private static func agents(_ host: AdminTestHost, token: String? = nil) async throws -> AgentsReport {
        let port = try #require(URL(string: host.baseURL)?.port)
        let answer = try await RawHTTP.send("GET", port: port, "/agents",
                                            headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [])
        #expect(answer.status == 200, "\(answer.text)")
        return try JSONDecoder().decode(AgentsReport.self, from: answer.body)
    }

    /// Waits until every agent handled `count` records and committed them all
    /// (so the figures hold still while the browser reads them).
    private static func settled(_ host: AdminTestHost, count: Int, token: String? = nil) async throws -> AgentsReport {
        try await eventually("every agent handled \(count) records and committed them") {
            let report = try await agents(host, token: token)
            return report.agents.allSatisfy { $0.processed + $0.deadLettered == count && $0.inFlight == 0 && $0.lag == 0 }
        }
        return try await agents(host, token: token)
    }

    @Test("the page shows every agent with the figures of /agents, and its screenshot is kept")
    func figuresMatchAgents() async throws {
        let browser = try HeadlessChromium()
        try await AdminTestHost(agents: ["alpha", "beta"]).run { host in
            host.harness.produce("input", count: 120)
            let before = try await Self.settled(host, count: 120)
            // The clock the page computes rates with: UTC, with milliseconds.
            #expect(before.at?.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/#) != nil, "\(before.at ?? "none")")

            let dom = StatusPageDOM(html: try await browser.dumpDOM(host.baseURL + "/"))
            #expect(dom.isReady, "the page never drew a report:\n\(dom.html)")
            #expect(dom.agentNames == before.agents.map(\.name))
            #expect(dom.agentNames == ["alpha", "beta"])
            let after = try await Self.agents(host)
            #expect(after.agents == before.agents, "the figures moved while the browser read them")
            for agent in before.agents {
                #expect(dom.field("name", of: agent.name) == agent.name)
                #expect(dom.field("version", of: agent.name) == "v\(agent.version)")
                #expect(dom.field("state", of: agent.name) == agent.state)
                #expect(dom.field("processed", of: agent.name) == String(agent.processed))
                #expect(dom.field("in_flight", of: agent.name) == String(agent.inFlight))
                #expect(dom.field("retried", of: agent.name) == String(agent.retried))
                #expect(dom.field("dead_lettered", of: agent.name) == String(agent.deadLettered))
                #expect(dom.field("lag", of: agent.name) == agent.lag.map(String.init))
                let partitions = try #require(dom.section(of: agent.name)).matches(of: #/<li class="mono"[^>]*>([^<]*)</li>/#)
                    .map { String($0.output.1) }
                #expect(partitions == agent.partitions.map { "\($0.topic)/\($0.partition) · lag \($0.lag ?? -1)" })
                // Nothing arrives while the page polls: the rate it computes is zero.
                #expect(dom.field("rate", of: agent.name) == "0.00")
                #expect(dom.field("chart", of: agent.name) != nil)
                #expect(dom.field("last_error", of: agent.name) == nil, "no error happened")
            }
            #expect(dom.html.contains(#"<p id="readiness" class="readiness ready">ready</p>"#), "GET /readyz is 200")

            try await browser.screenshot(host.baseURL + "/", to: Self.artifact)
            let picture = try Data(contentsOf: URL(fileURLWithPath: Self.artifact))
            #expect(picture.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
            #expect(picture.count > 10_000, "a blank picture? \(picture.count) bytes")
        }
    }

    @Test("while records flow, the page computes a records/s above zero from successive reports and draws it")
    func rateWhileRecordsFlow() async throws {
        let browser = try HeadlessChromium()
        try await AdminTestHost(partitions: 2).run { host in
            // Records arrive for as long as the browser polls (page time is virtual, so that is short).
            let feeder = Task {
                while !Task.isCancelled {
                    host.harness.produce("input", count: 5)
                    try? await Task.sleep(for: .milliseconds(2))
                }
            }
            defer { feeder.cancel() }
            var browser = browser
            browser.virtualTimeBudget = 30_000
            let dom = StatusPageDOM(html: try await browser.dumpDOM(host.baseURL + "/"))
            feeder.cancel()
            #expect(dom.isReady, "\(dom.html)")
            let rate = try #require(dom.field("rate", of: "recorder").flatMap(Double.init), "\(dom.html)")
            #expect(rate > 0, "records flowed, yet the page shows \(rate) records/s")
            let section = try #require(dom.section(of: "recorder"))
            #expect(section.contains("<polyline"), "no rate line in the chart")
            #expect(section.contains("records/s over the last"), "\(section)")
            let polls = try #require(dom.html.firstMatch(of: #/data-polls="([0-9]+)"/#).flatMap { Int($0.output.1) })
            #expect(polls >= 2, "a rate needs two reports")
        }
    }

    @Test("with a token, the page asks for it, refuses a wrong one, and shows the agents with the right one")
    func tokenRequired() async throws {
        let browser = try HeadlessChromium()
        let token = "status-\(UUID().uuidString)"
        try await AdminTestHost(admin: AdminTestHost.loopback(token: token)).run { host in
            host.harness.produce("input", count: 30)
            let report = try await Self.settled(host, count: 30, token: token)

            let signIn = StatusPageDOM(html: try await browser.dumpDOM(host.baseURL + "/"))
            #expect(signIn.asksForToken, "\(signIn.html)")
            #expect(signIn.agentNames.isEmpty && !signIn.isReady)
            #expect(signIn.html.contains("This admin API requires its token."))

            let wrong = StatusPageDOM(html: try await browser.dumpDOM(host.baseURL + "/#token=wrong-token"))
            #expect(wrong.asksForToken && wrong.agentNames.isEmpty)
            #expect(wrong.html.contains("The token was not accepted"), "\(wrong.html)")

            let signedIn = StatusPageDOM(html: try await browser.dumpDOM(host.baseURL + "/#token=\(token)"))
            #expect(signedIn.isReady && !signedIn.asksForToken, "\(signedIn.html)")
            #expect(signedIn.agentNames == ["recorder"])
            #expect(signedIn.field("processed", of: "recorder") == String(report.agents[0].processed))
            #expect(!signedIn.html.contains(token), "the token stayed in the page or its address")
        }
    }

    @Test("markup in an agent's error is shown as text, never run or rendered")
    func errorTextIsText() async throws {
        let browser = try HeadlessChromium()
        try await AdminTestHost(partitions: 1).run { host in
            let hostile = #"<img src=x onerror="document.title='owned'"><b id="injected">bold</b> & more"#
            host.harness.produce("input", count: 1) { _ in "fatal:" + hostile }
            try await eventually("the recorder failed with the hostile reason") {
                try await Self.agents(host).agents.first?.lastError?.contains(hostile) == true
            }
            let dom = StatusPageDOM(html: try await browser.dumpDOM(host.baseURL + "/"))
            #expect(dom.isReady, "\(dom.html)")
            #expect(dom.field("state", of: "recorder") == "failed")
            let escaped = #"&lt;img src=x onerror="document.title='owned'"&gt;&lt;b id="injected"&gt;bold&lt;/b&gt; &amp; more"#
            let shown = try #require(dom.field("last_error", of: "recorder"), "\(dom.html)")
            #expect(shown.hasSuffix(escaped), "\(shown)")
            #expect(dom.field("state_reason", of: "recorder")?.hasSuffix(escaped) == true)
            #expect(!dom.html.contains(#"<b id="injected">"#), "the error's markup became elements")
            #expect(!dom.html.contains("<img src=\"x\""))
            #expect(dom.html.contains("<title>Sluice status</title>"), "the error's script ran")
        }
    }
}
