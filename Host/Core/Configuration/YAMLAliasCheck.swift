import Yams

/// Refuses YAML aliases (`*name`) in configuration files.
///
/// An alias repeats a node without repeating its text, so a few hundred bytes
/// of nested aliases ("billion laughs") stand for billions of values, and
/// building them takes minutes and gigabytes. Configuration never needs them.
///
/// Composing keeps an aliased node shared (it is cheap); walking the tree is
/// what multiplies it. A node reached through an alias is the anchored node
/// itself, with the anchored node's start mark, so the walk stops at the
/// first (kind, mark, text) it meets twice: it never visits more nodes than the
/// text holds.
enum YAMLAliasCheck {
    /// Throws when `root` repeats a node through an alias; `file` names the file in the error.
    static func check(_ root: Node, file: String) throws(ConfigurationError) {
        var seen: Set<NodePosition> = []
        var stack: [Node] = [root]
        while let node = stack.popLast() {
            // An empty scalar (a missing value) gets the mark of the token
            // after it, which may be the next key's: it is left out.
            if let mark = node.mark, node.scalar?.string.isEmpty != true {
                let position = NodePosition(kind: kind(of: node), line: mark.line, column: mark.column,
                                            text: node.scalar?.string ?? "")
                guard seen.insert(position).inserted else {
                    throw ConfigurationError(
                        file: file, key: "",
                        expected: "no YAML aliases (write each value out; anchors and aliases are refused)",
                        found: "an alias of the node at line \(mark.line), column \(mark.column)")
                }
            }
            switch node {
            case .scalar: break
            case .sequence(let sequence): stack.append(contentsOf: sequence.reversed())
            case .mapping(let mapping):
                for (key, value) in mapping.reversed() {
                    stack.append(value)
                    stack.append(key)
                }
            }
        }
    }

    private static func kind(of node: Node) -> Int {
        switch node {
        case .scalar: 0
        case .sequence: 1
        case .mapping: 2
        }
    }

    /// Where a node starts, with its kind (a block mapping starts where its
    /// first key does) and a scalar's text.
    private struct NodePosition: Hashable {
        let kind: Int
        let line: Int
        let column: Int
        let text: String
    }
}
