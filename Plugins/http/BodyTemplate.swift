import SluicePluginKit

/// The request body as a JSON template, compiled once when the agent starts:
/// string values are ``FieldTemplate``s; a string that is exactly one
/// `{field}` takes the field's value with its JSON type (a number stays a
/// number, written exactly as the record wrote it), others become strings.
///
/// Compiling flattens the template into ``Step``s — the JSON text between the
/// fields (punctuation, keys, constants) is written out in advance — so a
/// record costs one lookup per field and one appended text per step. Object
/// members are written sorted by key (as `JSONEncoder`'s `.sortedKeys` did):
/// the configuration reaches the plugin without an order, and the same record
/// always gives the same bytes.
struct BodyTemplate: Sendable, Equatable {
    /// One piece of the body.
    enum Step: Sendable, Equatable {
        /// JSON text written as it is.
        case json(String)
        /// The field's value as JSON, its type kept (the template string was exactly `{field}`).
        case value(field: String)
        /// A JSON string: the template with the fields' values put in, then quoted.
        case string(FieldTemplate)
    }

    let steps: [Step]

    /// The Faust example's body: `{"user": {user_id}, "subject": "Order Confirmation",
    /// "body": "Order: {quantity} shares of {symbol}"}`.
    static let orderConfirmation: JSONValue = .object([
        (key: "user", value: .string("{user_id}")),
        (key: "subject", value: .string("Order Confirmation")),
        (key: "body", value: .string("Order: {quantity} shares of {symbol}")),
    ])

    /// Compiles `template` (any JSON value).
    init(_ template: JSONValue) {
        var steps: [Step] = []
        Self.compile(template, into: &steps)
        self.steps = steps
    }

    /// The body for `record` as UTF-8 JSON text.
    func render(_ record: JSONValue) throws(TemplateError) -> [UInt8] {
        var body = ""
        for step in steps {
            switch step {
            case .json(let text): body += text
            case .value(let field): body += try record.field(field).jsonText
            case .string(let template): body += JSONText.quoted(try template.render(record))
            }
        }
        return Array(body.utf8)
    }

    private static func compile(_ node: JSONValue, into steps: inout [Step]) {
        switch node {
        case .string(let text):
            let template = FieldTemplate(text)
            if let field = template.soleField {
                steps.append(.value(field: field))
            } else if let constant = template.constantText {
                appendJSON(JSONText.quoted(constant), to: &steps)
            } else {
                steps.append(.string(template))
            }
        case .array(let items):
            appendJSON("[", to: &steps)
            for (index, item) in items.enumerated() {
                if index > 0 { appendJSON(",", to: &steps) }
                compile(item, into: &steps)
            }
            appendJSON("]", to: &steps)
        case .object(let members):
            appendJSON("{", to: &steps)
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                appendJSON((index > 0 ? "," : "") + JSONText.quoted(member.key) + ":", to: &steps)
                compile(member.value, into: &steps)
            }
            appendJSON("}", to: &steps)
        case .number, .bool, .null:
            appendJSON(node.jsonText, to: &steps)
        }
    }

    /// Appends JSON text, merged into the previous step when that is text too.
    private static func appendJSON(_ text: String, to steps: inout [Step]) {
        if case .json(let previous) = steps.last {
            steps[steps.count - 1] = .json(previous + text)
        } else {
            steps.append(.json(text))
        }
    }
}
