extension ConfigSchema {
    /// What a valid value looks like, in the host's wording: `an integer from
    /// 1 to 86400`, `a non-empty string`, `one of search, index`, `a string or null`.
    public var expectation: String {
        if let allowedValues {
            // Strings bare, other values as JSON; `null` once even when both the string and JSON null are allowed.
            var shown: [String] = []
            for value in allowedValues {
                let text = value.stringValue ?? value.jsonText
                if !shown.contains(text) { shown.append(text) }
            }
            return "one of " + shown.joined(separator: ", ")
        }
        guard !types.isEmpty else { return "any value" }
        return types.map(describe).joined(separator: " or ")
    }

    private func describe(_ type: ValueType) -> String {
        switch type {
        case .integer: "an integer" + rangeWords
        case .number: "a number" + rangeWords
        case .string: lengthWords(noun: "a string", unit: "characters", minimum: minLength, maximum: maxLength)
        case .array: lengthWords(noun: "a list", unit: "entries", minimum: minItems, maximum: maxItems)
        case .boolean: "true or false"
        case .object: "a mapping"
        case .null: "null"
        }
    }

    /// ` from 1 to 256`, ` of at least 1`, ` greater than 0 and at most 5`, or "".
    private var rangeWords: String {
        if let minimum, let maximum { return " from \(minimum) to \(maximum)" }
        var parts: [String] = []
        if let minimum { parts.append("at least \(minimum)") }
        if let exclusiveMinimum { parts.append("greater than \(exclusiveMinimum)") }
        if let maximum { parts.append("at most \(maximum)") }
        if let exclusiveMaximum { parts.append("less than \(exclusiveMaximum)") }
        guard !parts.isEmpty else { return "" }
        return (minimum != nil || maximum != nil) && parts.count == 1 ? " of " + parts[0] : " " + parts.joined(separator: " and ")
    }

    private func lengthWords(noun: String, unit: String, minimum: Int?, maximum: Int?) -> String {
        switch (minimum, maximum) {
        case (let low?, let high?): "\(noun) of \(low) to \(high) \(unit)"
        case (1?, nil): "a non-empty " + noun.dropFirst(2)
        case (let low?, nil) where low > 0: "\(noun) of at least \(low) \(unit)"
        case (_, let high?): "\(noun) of at most \(high) \(unit)"
        default: noun
        }
    }
}
