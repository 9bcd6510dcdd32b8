import Foundation
import Testing
import TestSupport

/// `docs/monitoring/`'s alert rules, checked by Prometheus' own `promtool`:
/// they parse, and their unit tests (input series that fire and do not fire
/// each alert) pass.
@Suite("Monitoring alert rules (promtool)")
struct MonitoringRulesTests {
    @Test("promtool check rules accepts both rules files")
    func rulesCheck() async throws {
        let promtool = try MonitoringFiles.tool("promtool")
        let result = try await ProcessRunner.run([promtool, "check", "rules", MonitoringFiles.alerts, MonitoringFiles.stateAlerts],
                                                 check: false, timeout: .seconds(120))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS: 7 rules found"), "\(result.output)")
        #expect(result.output.contains("SUCCESS: 1 rules found"), "\(result.output)")
    }

    @Test("promtool test rules: every alert fires on its input series and stays quiet on the others")
    func rulesUnitTests() async throws {
        let promtool = try MonitoringFiles.tool("promtool")
        let result = try await ProcessRunner.run([promtool, "test", "rules", MonitoringFiles.alertTests, MonitoringFiles.stateAlertTests],
                                                 check: false, timeout: .seconds(120))
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains("FAILED"), "\(result.output)")
    }

    @Test("every alert of the rules files has promtool unit tests that expect it to fire")
    func everyAlertTested() throws {
        for (rules, tests) in [(MonitoringFiles.alerts, MonitoringFiles.alertTests),
                               (MonitoringFiles.stateAlerts, MonitoringFiles.stateAlertTests)] {
            let alerts = try Self.values(of: "alert", in: rules)
            let tested = try Self.values(of: "alertname", in: tests)
            #expect(!alerts.isEmpty)
            #expect(alerts == tested, "\(rules): alerts \(alerts.sorted()), tested \(tested.sorted())")
        }
    }

    @Test("promtool refuses a rules file with a broken expression (the check can fail)")
    func brokenRuleRefused() async throws {
        let promtool = try MonitoringFiles.tool("promtool")
        let directory = try TemporaryDirectory(prefix: "sluice-rules")
        defer { directory.remove() }
        let broken = directory.file("broken.yml")
        let original = try String(contentsOfFile: MonitoringFiles.alerts, encoding: .utf8)
        let damaged = original.replacingOccurrences(of: #"sluice_agent_state{state="failed"} == 1"#,
                                                    with: #"sluice_agent_state{state="failed" == 1"#)
        #expect(damaged != original)
        try damaged.write(toFile: broken, atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.run([promtool, "check", "rules", broken], check: false, timeout: .seconds(120))
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("FAILED"), "\(result.output)")
    }

    /// The set of values of `key: VALUE` lines (`- alert: X`, `alertname: X`) of a YAML file.
    private static func values(of key: String, in path: String) throws -> Set<String> {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"^\s*(?:-\s+)?\#(key):\s*(\S+)\s*$"#, options: .anchorsMatchLines)
        return Set(pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        })
    }
}
