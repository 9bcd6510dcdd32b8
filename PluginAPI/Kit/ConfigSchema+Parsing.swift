extension ConfigSchema {
    /// What ``parse(_:)`` returns: the schema and the keywords it ignored.
    public struct Parsed: Sendable, Equatable {
        /// The schema as Sluice checks it.
        public let schema: ConfigSchema
        /// The keywords outside the checked subset, each with its location
        /// (`/properties/url/pattern`): ignored, so the host logs them once.
        public let ignoredKeywords: [String]
    }

    /// Annotations kept by JSON Schema tools that change nothing Sluice checks.
    static let annotationKeywords: Set<String> = [
        "$schema", "$id", "$comment", "title", "examples", "deprecated", "readOnly",
    ]

    /// Reads a `config_schema` text (a plugin descriptor's).
    /// - Throws: ``ConfigSchemaError`` when the text is not JSON or a checked
    ///   keyword has a value of the wrong kind.
    public static func parse(_ text: String) throws(ConfigSchemaError) -> Parsed {
        let root: JSONValue
        do {
            root = try JSONValue.parse(text)
        } catch {
            throw ConfigSchemaError(location: "", problem: "not JSON: \(error)")
        }
        var ignored: [String] = []
        let schema = try read(root, at: "", ignored: &ignored)
        return Parsed(schema: schema, ignoredKeywords: ignored)
    }

    private static func read(_ node: JSONValue, at location: String,
                             ignored: inout [String]) throws(ConfigSchemaError) -> ConfigSchema {
        guard case .object(let members) = node else {
            // `true` is the schema that accepts anything.
            if node == .bool(true) { return ConfigSchema() }
            throw ConfigSchemaError(location: location, problem: "expected a schema object")
        }
        var schema = ConfigSchema()
        for (keyword, value) in members {
            let here = location + "/" + keyword
            switch keyword {
            case "type":
                schema.types = try typeNames(value, at: here)
            case "properties":
                guard case .object(let properties) = value else {
                    throw ConfigSchemaError(location: here, problem: "expected an object of schemas")
                }
                schema.properties = []
                for (name, property) in properties {
                    schema.properties.append(Property(name: name, schema: try read(property, at: here + "/" + name, ignored: &ignored)))
                }
            case "required":
                guard case .array(let names) = value, names.allSatisfy({ $0.stringValue != nil }) else {
                    throw ConfigSchemaError(location: here, problem: "expected a list of key names")
                }
                schema.required = names.compactMap(\.stringValue)
            case "additionalProperties":
                switch value {
                case .bool(let allowed): schema.additionalProperties = allowed
                case .object: ignored.append(here)  // a schema for extra keys: not checked
                default: throw ConfigSchemaError(location: here, problem: "expected true, false or a schema")
                }
            case "enum":
                guard case .array(let values) = value, !values.isEmpty else {
                    throw ConfigSchemaError(location: here, problem: "expected a non-empty list")
                }
                schema.allowedValues = values
            case "minimum": schema.minimum = try number(value, at: here)
            case "maximum": schema.maximum = try number(value, at: here)
            case "exclusiveMinimum": schema.exclusiveMinimum = try number(value, at: here)
            case "exclusiveMaximum": schema.exclusiveMaximum = try number(value, at: here)
            case "minLength": schema.minLength = try count(value, at: here)
            case "maxLength": schema.maxLength = try count(value, at: here)
            case "minItems": schema.minItems = try count(value, at: here)
            case "maxItems": schema.maxItems = try count(value, at: here)
            case "items":
                schema.items = try read(value, at: here, ignored: &ignored)
            case "default":
                schema.defaultValue = value
            case "description":
                guard case .string(let text) = value else {
                    throw ConfigSchemaError(location: here, problem: "expected a string")
                }
                schema.summary = text
            case "writeOnly":
                guard case .bool(let flag) = value else {
                    throw ConfigSchemaError(location: here, problem: "expected true or false")
                }
                schema.isSecret = flag
            default:
                if !annotationKeywords.contains(keyword) { ignored.append(here) }
            }
        }
        return schema
    }

    private static func typeNames(_ value: JSONValue, at location: String) throws(ConfigSchemaError) -> [ValueType] {
        let names: [JSONValue]
        switch value {
        case .string: names = [value]
        case .array(let list): names = list
        default: throw ConfigSchemaError(location: location, problem: "expected a type name or a list of them")
        }
        var types: [ValueType] = []
        for name in names {
            guard let text = name.stringValue, let type = ValueType(rawValue: text) else {
                let known = ValueType.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigSchemaError(location: location, problem: "expected one of \(known), found \(FoundValueText.describe(name))")
            }
            types.append(type)
        }
        return types
    }

    private static func number(_ value: JSONValue, at location: String) throws(ConfigSchemaError) -> String {
        guard case .number(let text) = value else { throw ConfigSchemaError(location: location, problem: "expected a number") }
        return text
    }

    private static func count(_ value: JSONValue, at location: String) throws(ConfigSchemaError) -> Int {
        guard case .number(let text) = value, let count = Int(text), count >= 0 else {
            throw ConfigSchemaError(location: location, problem: "expected a non-negative integer")
        }
        return count
    }
}
