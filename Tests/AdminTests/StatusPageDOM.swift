import Foundation

/// The status page's DOM as chromium serialized it, read the way the page
/// marks it up: one `section` per agent (`data-agent`), each figure in an
/// element with `data-field`.
struct StatusPageDOM {
    let html: String

    /// Whether the page has drawn at least one report of the host.
    var isReady: Bool { html.contains(#"data-ready="true""#) }

    /// Whether the page shows its sign-in form.
    var asksForToken: Bool { html.contains(#"data-sign-in="true""#) }

    /// The agents the page shows, in page order.
    var agentNames: [String] {
        html.matches(of: #/<section class="agent" data-agent="([^"]*)">/#).map { String($0.output.1) }
    }

    /// The text of `field` in the agent's section (markup inside it removed,
    /// entities as serialized: `&lt;` stays `&lt;`); nil if absent.
    func field(_ field: String, of agent: String) -> String? {
        guard let section = section(of: agent),
              let open = section.firstMatch(of: try! Regex(#"data-field="\#(field)"[^>]*>"#)) else { return nil }
        let rest = section[open.range.upperBound...]
        // The field's element ends at the first closing tag of its own kind; figures hold text only.
        guard let close = rest.firstMatch(of: #/</(dd|p|span|h2|ul|ol)>/#) else { return nil }
        return String(rest[..<close.range.lowerBound])
    }

    /// The markup of one agent's section.
    func section(of agent: String) -> Substring? {
        guard let start = html.range(of: #"<section class="agent" data-agent="\#(agent)">"#) else { return nil }
        let rest = html[start.upperBound...]
        let end = rest.range(of: #"<section class="agent""#)?.lowerBound ?? rest.range(of: "</main>")?.lowerBound
            ?? rest.endIndex
        return rest[..<end]
    }
}
