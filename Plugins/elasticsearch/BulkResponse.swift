import Foundation
import SluicePluginKit

/// What `_bulk` said about one document.
enum BulkItemOutcome: Equatable {
    /// Stored (or, for `create`, already there: a redelivery).
    case ok
    /// A transient failure (429, 503, other 5xx): send it again later.
    case retry(String)
    /// The server rejected the document (400 and other 4xx): dead-letter it.
    case reject(String)
}

/// Parses a `_bulk` response: `{"took", "errors", "items": [{"<action>": {"_index", "_id", "status", "error": {"type", "reason"}}}]}`.
enum BulkResponse {
    /// The outcome of each item in request order, or nil when the body is not
    /// a readable bulk response for `expected` items.
    static func parse(_ body: [UInt8], expected: Int, action: ElasticsearchConfiguration.BulkAction) -> [BulkItemOutcome]? {
        // The common answer, every item done, read without building Foundation objects for each item.
        if let statuses = itemStatuses(body, expected: expected),
           statuses.allSatisfy({ (200..<300).contains($0) || ($0 == 409 && action == .create) }) {
            return Array(repeating: .ok, count: expected)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let items = object["items"] as? [Any], items.count == expected else { return nil }
        return items.map { item in
            guard let wrapper = item as? [String: Any], let result = wrapper.values.first as? [String: Any],
                  let status = (result["status"] as? NSNumber)?.intValue else {
                return .retry("malformed _bulk item")
            }
            if (200..<300).contains(status) { return .ok }
            // `create` of a document that exists: an earlier delivery stored it.
            if status == 409 && action == .create { return .ok }
            let reason = ElasticsearchError.describe(result["error"] ?? "HTTP \(status)", status: status)
            return ElasticsearchError.isTransient(status) ? .retry(reason) : .reject(reason)
        }
    }

    /// Each item's `status` in order, read with the borrowed parser, or nil
    /// when the body is not a `_bulk` response for `expected` items.
    private static func itemStatuses(_ body: [UInt8], expected: Int) -> [Int]? {
        body.withUnsafeBytes { bytes -> [Int]? in
            guard let root = try? JSONParser.parse(bytes), case .object(let members, _) = root,
                  case .array(let items, _)? = members.last(where: { $0.key == itemsKey })?.value,
                  items.count == expected else { return nil }
            var statuses: [Int] = []
            statuses.reserveCapacity(items.count)
            for item in items {
                guard case .object(let wrapper, _) = item, wrapper.count == 1, case .object(let fields, _) = wrapper[0].value,
                      case .number(let range)? = fields.last(where: { $0.key == statusKey })?.value,
                      let status = integer(bytes[range]) else { return nil }
                statuses.append(status)
            }
            return statuses
        }
    }

    private static let itemsKey = Array("items".utf8)
    private static let statusKey = Array("status".utf8)

    /// A small non-negative integer written in digits only, or nil.
    private static func integer(_ digits: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var value = 0
        for digit in digits {
            guard (48...57).contains(digit) else { return nil }
            value = value * 10 + Int(digit - 48)
        }
        return value
    }
}
