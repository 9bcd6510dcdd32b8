/// The request body as a JSON template: string values are ``FieldTemplate``s;
/// a string that is exactly one `{field}` takes the field's value with its
/// JSON type (a number stays a number), others become strings.
struct BodyTemplate: Sendable, Equatable {
    let template: JSONValue

    /// The Faust example's body: `{"user": {user_id}, "subject": "Order Confirmation",
    /// "body": "Order: {quantity} shares of {symbol}"}`.
    static let orderConfirmation = BodyTemplate(template: .object([
        "user": .string("{user_id}"),
        "subject": .string("Order Confirmation"),
        "body": .string("Order: {quantity} shares of {symbol}"),
    ]))

    /// The body for `record`.
    func render(_ record: JSONValue) throws(TemplateError) -> JSONValue {
        try Self.render(template, record)
    }

    private static func render(_ node: JSONValue, _ record: JSONValue) throws(TemplateError) -> JSONValue {
        switch node {
        case .string(let text):
            let parsed = FieldTemplate(text)
            if let field = parsed.soleField {
                guard let value = record.lookup(field) else { throw .missingField(field) }
                return value
            }
            return .string(try parsed.render(record))
        case .array(let items):
            var rendered: [JSONValue] = []
            for item in items { rendered.append(try render(item, record)) }
            return .array(rendered)
        case .object(let fields):
            var rendered: [String: JSONValue] = [:]
            for (key, value) in fields { rendered[key] = try render(value, record) }
            return .object(rendered)
        default:
            return node
        }
    }
}
