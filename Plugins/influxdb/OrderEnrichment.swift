import SluicePluginKit

/// Sets one field in an order's JSON text while keeping everything else as
/// it was written: the field is appended before the closing brace, so prices,
/// ids and key order pass through byte for byte. Only when the order already
/// has the field is the object rewritten (with the field replaced in place).
public enum OrderEnrichment {
    /// The order text with `field` set to `value`.
    /// - Parameters:
    ///   - original: the order's JSON text (an object; `parsed` is its parse).
    ///   - parsed: the parsed order.
    ///   - field: the member to set, e.g. `market_price`.
    ///   - value: its value.
    public static func setting(_ field: String, to value: JSONValue, in original: [UInt8], parsed: JSONValue) -> [UInt8] {
        guard case .object(let members) = parsed else { return Array(parsed.jsonText.utf8) }
        if members.contains(where: { $0.key == field }) {
            let replaced = members.map { $0.key == field ? (key: $0.key, value: value) : $0 }
            return Array(JSONValue.object(replaced).jsonText.utf8)
        }
        // The parse succeeded, so the last non-space byte is the closing brace.
        guard let close = original.lastIndex(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }),
              original[close] == UInt8(ascii: "}") else {
            return Array(JSONValue.object(members + [(field, value)]).jsonText.utf8)
        }
        var out = Array(original[..<close])
        if !members.isEmpty { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: JSONValue.quoted(field).utf8)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: value.jsonText.utf8)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
