import Foundation

/// `docs/monitoring/grafana-dashboard.json` read with Foundation: its panels'
/// queries and its template variables.
struct GrafanaDashboard {
    /// One query of one panel.
    struct Target {
        let panel: String
        let expression: String
    }

    /// A query variable `label_values(selector, label)`.
    struct LabelVariable {
        let name: String
        let selector: String
        let label: String
    }

    /// The whole document.
    let json: [String: Any]
    /// Every panel (rows included), flattened.
    let panels: [[String: Any]]
    /// Every query of every panel.
    let targets: [Target]
    /// The template variables.
    let variables: [[String: Any]]
    /// The query variables, parsed.
    let labelVariables: [LabelVariable]

    /// Reads and parses the dashboard file.
    static func load(_ path: String = MonitoringFiles.dashboard) throws -> GrafanaDashboard {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ExchangeError("\(path): not a JSON object")
        }
        return try GrafanaDashboard(json: json)
    }

    init(json: [String: Any]) throws {
        self.json = json
        let top = json["panels"] as? [[String: Any]] ?? []
        // Collapsed rows keep their panels inside.
        panels = top.flatMap { [$0] + ($0["panels"] as? [[String: Any]] ?? []) }
        targets = panels.flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).map {
                Target(panel: panel["title"] as? String ?? "?", expression: $0["expr"] as? String ?? "")
            }
        }
        variables = (json["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        let pattern = try NSRegularExpression(pattern: #"^label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\)$"#)
        labelVariables = try variables.filter { $0["type"] as? String == "query" }.map { variable in
            let name = variable["name"] as? String ?? "?"
            let query = (variable["query"] as? [String: Any])?["query"] as? String ?? variable["query"] as? String ?? ""
            guard let match = pattern.firstMatch(in: query, range: NSRange(query.startIndex..., in: query)) else {
                throw ExchangeError("variable \(name): not label_values(selector, label): \(query)")
            }
            return LabelVariable(name: name, selector: String(query[Range(match.range(at: 1), in: query)!]),
                                 label: String(query[Range(match.range(at: 2), in: query)!]))
        }
    }

    /// `expression` as Grafana would send it with `agent` chosen, every host, and a one-minute rate interval.
    static func substitute(_ expression: String, agent: String) -> String {
        expression
            .replacingOccurrences(of: "$__rate_interval", with: "1m")
            .replacingOccurrences(of: "$instance", with: ".*")
            .replacingOccurrences(of: "$agent", with: NSRegularExpression.escapedPattern(for: agent))
    }
}
