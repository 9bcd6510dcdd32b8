import SluicePluginKit
import Yams

/// One YAML mapping of a configuration file, walked key by key so every error
/// names the file and the full dotted key path.
struct YAMLMapping {
    /// The file being read (nil for text without a file).
    let file: String?
    /// The dotted path of this mapping ("" at the top level).
    let path: String
    /// The entries in file order, keys as text.
    let entries: [(key: String, value: Node)]

    /// Reads `node` as a mapping with scalar, unique keys.
    init(_ node: Node, file: String?, path: String) throws(ConfigurationError) {
        self.file = file
        self.path = path
        guard case .mapping(let mapping) = node else {
            throw ConfigurationError(file: file, key: path, expected: "a mapping of key: value",
                                     found: Self.describe(node, secret: false))
        }
        var entries: [(key: String, value: Node)] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw ConfigurationError(file: file, key: path, expected: "text keys",
                                         found: (Self.describe(keyNode, secret: false) ?? "a value") + " as a key")
            }
            let key = scalar.string
            guard seen.insert(key).inserted else {
                throw ConfigurationError(file: file, key: Self.join(path, key), expected: "each key once",
                                         found: "it a second time")
            }
            entries.append((key, value))
        }
        self.entries = entries
    }

    /// The value under `key`, if present.
    subscript(key: String) -> Node? {
        entries.first { $0.key == key }?.value
    }

    /// Whether `key` is present (even with a null value).
    func contains(_ key: String) -> Bool { self[key] != nil }

    /// The dotted path of `key` inside this mapping.
    func keyPath(_ key: String) -> String { Self.join(path, key) }

    /// Fails on the first key not in `known`, listing the valid keys and the
    /// closest one.
    func requireKnownKeys(_ known: [String]) throws(ConfigurationError) {
        for (key, _) in entries where !known.contains(key) {
            let wording = UnknownKeyWording(key: key, known: known)
            throw ConfigurationError(file: file, key: keyPath(key), expected: wording.expected, found: wording.found)
        }
    }

    /// The value of `key` read with `rule`; nil when the key is absent.
    /// A null value is an error: the key has no "unset" meaning.
    func value<Value>(_ key: String, _ rule: ValueRule<Value>) throws(ConfigurationError) -> Value? {
        guard let node = self[key] else { return nil }
        return try Self.read(node, rule, file: file, key: keyPath(key))
    }

    /// The value of `key` read with `rule`, where null means "unset":
    /// `.none` when absent, `.some(nil)` when null.
    func optionalValue<Value>(_ key: String, _ rule: ValueRule<Value>) throws(ConfigurationError) -> Value?? {
        guard let node = self[key] else { return .none }
        if Self.isNull(node) { return .some(nil) }
        return .some(try Self.read(node, rule, file: file, key: keyPath(key)))
    }

    /// The mapping under `key`; nil when absent or null.
    func mapping(_ key: String) throws(ConfigurationError) -> YAMLMapping? {
        guard let node = self[key], !Self.isNull(node) else { return nil }
        return try YAMLMapping(node, file: file, path: keyPath(key))
    }

    /// A list under `key` (described as `expected`), each element read with
    /// `rule`; `.some(nil)` when null. Elements must be unique.
    func optionalList<Value: Hashable>(_ key: String, expected: String, _ rule: ValueRule<Value>) throws(ConfigurationError) -> [Value]?? {
        guard let node = self[key] else { return .none }
        if Self.isNull(node) { return .some(nil) }
        guard case .sequence(let sequence) = node else {
            throw ConfigurationError(file: file, key: keyPath(key), expected: expected,
                                     found: Self.describe(node, secret: false))
        }
        var values: [Value] = []
        for (index, element) in sequence.enumerated() {
            let elementKey = "\(keyPath(key))[\(index)]"
            let value = try Self.read(element, rule, file: file, key: elementKey)
            guard !values.contains(value) else {
                throw ConfigurationError(file: file, key: elementKey, expected: "each entry once",
                                         found: (Self.describe(element, secret: false) ?? "a value") + " a second time")
            }
            values.append(value)
        }
        return .some(values)
    }

    /// Reads a scalar `node` with `rule`.
    static func read<Value>(_ node: Node, _ rule: ValueRule<Value>, file: String?, key: String) throws(ConfigurationError) -> Value {
        let secret = SecretKeys.isSecret(key)
        guard case .scalar(let scalar) = node, !isNull(node), let value = rule.parse(scalar.string) else {
            throw ConfigurationError(file: file, key: key, expected: rule.expected, found: describe(node, secret: secret))
        }
        return value
    }

    /// Whether `node` is YAML null (`~`, `null`, or nothing after the colon).
    static func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return node.resolvedTagName == .null }
        return false
    }

    /// How a found node is shown in an error: a quoted scalar, `null`,
    /// `a mapping`, `a list`; nil for the value of a secret key.
    static func describe(_ node: Node, secret: Bool) -> String? {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return "null" }
            return secret ? nil : ConfigurationError.quoted(scalar.string)
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    /// `parent.child`, or `child` at the top.
    static func join(_ parent: String, _ child: String) -> String {
        parent.isEmpty ? child : parent + "." + child
    }
}

extension Node {
    /// The resolved tag's name (`Tag.name` itself is internal to Yams).
    var resolvedTagName: Tag.Name { Tag.Name(rawValue: tag.description) }
}
