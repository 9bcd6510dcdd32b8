import Foundation
import SluiceHost

// The bodies of the table query endpoints (docs/admin-api.md, "Querying
// state"): GET /agents/{name}/tables/{table}/{key} and
// GET /agents/{name}/tables/{table}. Only the shapes live here; the answers
// are made in TableQueryAnswers.swift.

/// Bytes of a state table, a key or a value, as the admin API shows them:
/// as JSON under `<field>` when they read as such, else base64 under
/// `<field>_base64` (exactly one of the two is present).
public enum TableBytes: Sendable, Equatable {
    /// Bytes shown as this JSON value under `<field>`: a value that parses
    /// as JSON, or a key (or prefix) that is UTF-8 text, as a string.
    case json(ConfigValue)
    /// Any other bytes, shown base64-encoded under `<field>_base64`.
    case raw([UInt8])

    /// A stored value: its JSON when the bytes parse as JSON (values of the
    /// Swift SDK's tables do), else the bytes.
    public static func value(_ bytes: [UInt8]) -> TableBytes {
        if let json = try? JSONDecoder().decode(ConfigValue.self, from: Data(bytes)) { return .json(json) }
        return .raw(bytes)
    }

    /// A key or prefix: its text when the bytes are UTF-8, else the bytes.
    public static func key(_ bytes: [UInt8]) -> TableBytes {
        if let text = String(validating: bytes, as: UTF8.self) { return .json(.string(text)) }
        return .raw(bytes)
    }

    /// Encodes under `field` or `base64Field`.
    func encode<Key: CodingKey>(into container: inout KeyedEncodingContainer<Key>, _ field: Key, _ base64Field: Key) throws {
        switch self {
        case .json(let value): try container.encode(value, forKey: field)
        case .raw(let bytes): try container.encode(Data(bytes).base64EncodedString(), forKey: base64Field)
        }
    }

    /// Decodes from `field` or `base64Field`, whichever is present.
    static func decode<Key: CodingKey>(from container: KeyedDecodingContainer<Key>, _ field: Key,
                                       _ base64Field: Key) throws -> TableBytes {
        if let encoded = try container.decodeIfPresent(String.self, forKey: base64Field) {
            guard let data = Data(base64Encoded: encoded) else {
                throw DecodingError.dataCorruptedError(forKey: base64Field, in: container, debugDescription: "not base64")
            }
            return .raw(Array(data))
        }
        return .json(try container.decode(ConfigValue.self, forKey: field))
    }
}

/// One entry of a table: an element of `entries` of
/// `GET /agents/{name}/tables/{table}`, and the entry part of a lookup.
public struct TableEntryReport: Codable, Sendable, Equatable {
    /// The table key (`key`, or `key_base64` when it is not UTF-8).
    public var key: TableBytes
    /// The input partition whose state holds the entry.
    public var partition: Int32
    /// The stored value (`value` as JSON, or `value_base64`).
    public var value: TableBytes

    /// Creates an entry report.
    public init(key: TableBytes, partition: Int32, value: TableBytes) {
        self.key = key
        self.partition = partition
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case key, partition, value
        case keyBase64 = "key_base64"
        case valueBase64 = "value_base64"
    }

    /// `key` or `key_base64`, `partition`, `value` or `value_base64`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try key.encode(into: &container, .key, .keyBase64)
        try container.encode(partition, forKey: .partition)
        try value.encode(into: &container, .value, .valueBase64)
    }

    /// Reads an entry as `encode(to:)` writes it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try TableBytes.decode(from: container, .key, .keyBase64)
        partition = try container.decode(Int32.self, forKey: .partition)
        value = try TableBytes.decode(from: container, .value, .valueBase64)
    }
}

// MARK: GET /agents/{name}/tables/{table}/{key}

/// The body of a successful `GET /agents/{name}/tables/{table}/{key}`:
/// `{"agent", "table", "key", "partition", "value"}`.
public struct TableLookupReport: Codable, Sendable, Equatable {
    /// The agent.
    public var agent: String
    /// The table.
    public var table: String
    /// The key, its partition and its value.
    public var entry: TableEntryReport

    /// Creates a lookup report.
    public init(agent: String, table: String, entry: TableEntryReport) {
        self.agent = agent
        self.table = table
        self.entry = entry
    }

    enum CodingKeys: String, CodingKey { case agent, table }

    /// The entry's keys beside `agent` and `table`, in one object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent, forKey: .agent)
        try container.encode(table, forKey: .table)
        try entry.encode(to: encoder)
    }

    /// Reads a report as `encode(to:)` writes it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        agent = try container.decode(String.self, forKey: .agent)
        table = try container.decode(String.self, forKey: .table)
        entry = try TableEntryReport(from: decoder)
    }
}

// MARK: GET /agents/{name}/tables/{table}

/// The body of `GET /agents/{name}/tables/{table}?prefix=P&limit=N`.
public struct TableEntriesReport: Codable, Sendable, Equatable {
    /// The agent.
    public var agent: String
    /// The table.
    public var table: String
    /// The prefix asked for (`prefix`, or `prefix_base64` when it is not UTF-8; `""`: every key).
    public var prefix: TableBytes
    /// The most entries asked for.
    public var limit: Int
    /// The entries whose key starts with the prefix, partition by partition
    /// (in partition order), in key order within each.
    public var entries: [TableEntryReport]
    /// Whether more entries match than `limit`.
    public var truncated: Bool

    /// Creates a listing.
    public init(agent: String, table: String, prefix: TableBytes, limit: Int, entries: [TableEntryReport], truncated: Bool) {
        self.agent = agent
        self.table = table
        self.prefix = prefix
        self.limit = limit
        self.entries = entries
        self.truncated = truncated
    }

    enum CodingKeys: String, CodingKey {
        case agent, table, prefix, limit, entries, truncated
        case prefixBase64 = "prefix_base64"
    }

    /// Every key, the prefix as `prefix` or `prefix_base64`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent, forKey: .agent)
        try container.encode(table, forKey: .table)
        try prefix.encode(into: &container, .prefix, .prefixBase64)
        try container.encode(limit, forKey: .limit)
        try container.encode(entries, forKey: .entries)
        try container.encode(truncated, forKey: .truncated)
    }

    /// Reads a listing as `encode(to:)` writes it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        agent = try container.decode(String.self, forKey: .agent)
        table = try container.decode(String.self, forKey: .table)
        prefix = try TableBytes.decode(from: container, .prefix, .prefixBase64)
        limit = try container.decode(Int.self, forKey: .limit)
        entries = try container.decode([TableEntryReport].self, forKey: .entries)
        truncated = try container.decode(Bool.self, forKey: .truncated)
    }
}
