import Hummingbird
import SluiceHost

// Interactive queries of stateful agents' tables (docs/admin-api.md,
// "GET /agents/{name}/tables/{table}/{key}").

extension AdminRoutes {
    /// Adds `GET /agents/:name/tables/:table/:key` and `GET /agents/:name/tables/:table`.
    func registerTableQueries(on router: Router<BasicRequestContext>) {
        router.get("/agents/:name/tables/:table/:key") { _, context in
            let name = try Self.text(context, "name"), table = try Self.text(context, "table")
            let key = try Self.bytes(context, "key")
            return try AdminJSON.response(try await lookUp(agent: name, table: table, key: key))
        }
        router.get("/agents/:name/tables/:table") { request, context in
            let name = try Self.text(context, "name"), table = try Self.text(context, "table")
            let query = try TableListQuery(rawQuery: request.uri.query)
            return try AdminJSON.response(try await entries(agent: name, table: table, query))
        }
    }

    /// `key` in `table` of agent `name`, read on a thread of its own: the
    /// lookup may ask the broker for the partition count and read RocksDB.
    func lookUp(agent name: String, table: String, key: [UInt8]) async throws(AdminHTTPError) -> TableLookupReport {
        guard let runner = runtime.agent(name) else { throw unknownAgent(name) }
        let lookup = try await offEventLoop(agent: name, table: table) { try runner.lookUp(table: table, key: key) }
        return try TableQueryAnswers.lookup(lookup, agent: name, table: table, key: key)
    }

    /// The entries of `table` that `query` asks for, read on a thread of its own (RocksDB scans).
    func entries(agent name: String, table: String, _ query: TableListQuery) async throws(AdminHTTPError) -> TableEntriesReport {
        guard let runner = runtime.agent(name) else { throw unknownAgent(name) }
        // One entry more than asked for: whether there is, says whether the listing is truncated.
        let found = try await offEventLoop(agent: name, table: table) {
            try runner.entries(table: table, prefix: query.prefix, limit: query.limit + 1)
        }
        return try TableQueryAnswers.listing(found, agent: name, table: table, declared: runner.status.tables, query: query)
    }

    /// Runs a blocking table read on a dedicated thread; a store failure is a 500 naming the table.
    private func offEventLoop<Value: Sendable>(agent: String, table: String,
                                               _ read: @escaping @Sendable () throws -> Value) async throws(AdminHTTPError) -> Value {
        do {
            return try await DedicatedThread.run("sluice-admin-tables") { () throws -> Value in try read() }
        } catch {
            throw AdminHTTPError(.internalServerError, "reading table \"\(table)\" of agent \"\(agent)\" failed: \(error)")
        }
    }

    /// A path parameter percent-decoded as UTF-8 text.
    private static func text(_ context: BasicRequestContext, _ name: String) throws -> String {
        let bytes = try bytes(context, name)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw AdminHTTPError.badRequest("the \(name) in the path is not UTF-8 text once percent-decoded")
        }
        return text
    }

    /// A path parameter percent-decoded to bytes (`%2F` is a `/` within the segment).
    private static func bytes(_ context: BasicRequestContext, _ name: String) throws -> [UInt8] {
        let raw = try context.parameters.require(name)
        guard let bytes = PercentDecoding.bytes(raw[...]) else {
            throw AdminHTTPError.badRequest("the \(name) in the path has malformed percent-encoding (a % must be followed by two hex digits)")
        }
        return bytes
    }
}
