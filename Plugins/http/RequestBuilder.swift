import Foundation
import SluiceHTTPClient
import SluicePluginKit

/// Turns one record value into the request the configuration describes.
struct RequestBuilder: Sendable {
    let method: String
    let url: URLTemplate
    let headers: [HTTPHeader]
    /// Nil: pass the record through as the body.
    let body: BodyTemplate?

    init(configuration: HTTPAgentConfiguration, headers: [HTTPHeader]) {
        method = configuration.method.uppercased()
        url = URLTemplate(configuration.url)
        body = configuration.passthrough ? nil : BodyTemplate(configuration.body ?? BodyTemplate.orderConfirmation)
        var all = headers
        if !all.contains(where: { $0.name.lowercased() == "content-type" }) {
            all.append(HTTPHeader("Content-Type", "application/json"))
        }
        self.headers = all
    }

    /// The request for a record value; throws when the value is not a JSON
    /// object, lacks a field a template uses, or has an empty or null value
    /// for a URL path field (the record is dead-lettered).
    func request(for value: UnsafeRawBufferPointer) throws -> HTTPRequest {
        // Passthrough with a URL without fields needs no parsing at all.
        if body == nil && url.fields.isEmpty {
            return HTTPRequest(method: method, url: try url.renderConstant(), headers: headers, body: Array(value))
        }
        let record: JSONValue
        do {
            record = JSONValue(try JSONParser.parse(value), in: value)
        } catch {
            throw RecordError("the record value is not valid JSON (\(error))")
        }
        guard case .object = record else { throw TemplateError.notAnObject(found: record.kindDescription) }
        let target = try url.render(record)
        let bytes = try body?.render(record) ?? Array(value)
        return HTTPRequest(method: method, url: target, headers: headers, body: bytes)
    }
}

/// A record the agent cannot turn into a request.
struct RecordError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
