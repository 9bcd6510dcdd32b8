import Foundation

/// The Elasticsearch stand-in (not Elasticsearch), for the tests and the demo:
/// no Elasticsearch can be installed here, so this small HTTP/1.1 server on
/// 127.0.0.1 (a ``LoopbackHTTPServer``) answers the endpoints the
/// elasticsearch plugin uses with the request and response JSON shapes that
/// Elasticsearch 7.x/8.x document:
///
/// - `PUT /{index}` (with optional `mappings.properties.*.type`, enforced on indexing),
/// - `POST /_bulk` and `/{index}/_bulk` (`index`, `create`, `delete` actions),
/// - `GET|POST /{index}/_search` and `/_msearch` (`match` and `match_all`;
///   score = how often the query's tokens occur in the field),
/// - `GET /{index}/_doc/{id}` and `GET /{index}/_count` (for assertions).
///
/// Faults on demand: per-item 429s for the next N bulk items, whole-request
/// 503s, 400 `mapper_parsing_exception` for documents matching a predicate
/// or violating the mapping, and going down (listener and connections closed)
/// for a while. It counts requests per endpoint.
public final class ElasticsearchStandIn: @unchecked Sendable {
    // @unchecked: every mutable member is guarded by `lock`.

    /// The endpoints the stand-in counts requests for.
    public enum Endpoint: String, Sendable, CaseIterable {
        /// `PUT /{index}`.
        case createIndex
        /// `POST /_bulk`, `/{index}/_bulk`.
        case bulk
        /// `/{index}/_search`.
        case search
        /// `/_msearch`, `/{index}/_msearch`.
        case msearch
        /// `GET /{index}/_doc/{id}`.
        case getDocument
        /// `/{index}/_count`.
        case count
        /// Anything else (answered 400 or `GET /`).
        case other
    }

    /// How it names itself wherever it prints or answers `GET /`.
    public static let label = "Elasticsearch stand-in (not Elasticsearch)"

    /// The port it listens on (kept across `goDown`/`comeUp`).
    public var port: UInt16 { listening.port }
    /// `http://127.0.0.1:<port>`.
    public var url: String { listening.baseURL }

    private let lock = NSLock()
    private var server: LoopbackHTTPServer?
    private var indices: [String: StandInIndex] = [:]
    private var counts: [Endpoint: Int] = [:]
    private var searchesPerMsearch: [Int] = []
    private var bulkItems = 0
    private var pendingItemFailures: (count: Int, status: Int) = (0, 429)
    private var pendingRequestFailures: (count: Int, status: Int) = (0, 503)
    private var rejection: (reason: String, predicate: @Sendable ([String: Any]) -> Bool)?
    private var authorizations: [String] = []
    private let requiredAuthorization: String?

    /// Starts a stand-in on `port` of 127.0.0.1 (0: a free port).
    /// - Parameter requiredAuthorization: when set, every request must carry
    ///   exactly this `Authorization` header value, or gets 401 `security_exception`.
    public init(port: UInt16 = 0, requiredAuthorization: String? = nil) throws {
        self.requiredAuthorization = requiredAuthorization
        server = try LoopbackHTTPServer(port: port) { [weak self] request in self?.answer(request) ?? .close }
    }

    deinit { stop() }

    private var listening: LoopbackHTTPServer { lock.withLock { server! } }

    /// Stops listening and closes every connection, for good.
    public func stop() {
        let stopping = lock.withLock { server }
        stopping?.stop()
    }

    // MARK: Assertions

    /// How many requests reached `endpoint` (including those answered with an injected fault).
    public func requests(_ endpoint: Endpoint) -> Int {
        lock.withLock { counts[endpoint] ?? 0 }
    }

    /// The number of searches in each `_msearch` request received, in arrival order.
    public var msearchSizes: [Int] { lock.withLock { searchesPerMsearch } }

    /// The number of bulk items (actions) received, counting retried ones again.
    public var bulkItemsReceived: Int { lock.withLock { bulkItems } }

    /// Connections accepted so far (keep-alive keeps this low).
    public var connectionsAccepted: Int { listening.acceptedConnections }

    /// Every `Authorization` header value received, in order (tests check that credentials arrive).
    public var authorizationHeaders: [String] { lock.withLock { authorizations } }

    /// The number of documents in `index` (0 when it does not exist).
    public func documentCount(_ index: String) -> Int {
        lock.withLock { indices[index]?.documents.count ?? 0 }
    }

    /// The `_source` of a document, or nil.
    public func document(_ index: String, id: String) -> [String: Any]? {
        lock.withLock { indices[index]?.documents[id]?.source }
    }

    /// The ids of every document of `index`.
    public func documentIDs(_ index: String) -> Set<String> {
        lock.withLock { Set(indices[index].map { Array($0.documents.keys) } ?? []) }
    }

    // MARK: Set-up and faults

    /// Creates (or replaces) an index directly, with `mappings` as field → type.
    public func createIndex(_ name: String, mappings: [String: String] = [:]) {
        lock.withLock { indices[name] = StandInIndex(name: name, mappings: mappings) }
    }

    /// Stores a document directly (seeding for search tests), creating the index if needed.
    public func seed(_ index: String, id: String, source: [String: Any]) {
        lock.withLock {
            let target = indices[index] ?? StandInIndex(name: index, mappings: [:])
            indices[index] = target
            _ = target.put(id: id, source: source)
        }
    }

    /// The next `count` bulk items (across requests) fail with `status`
    /// (429 `es_rejected_execution_exception` by default, or 503 `unavailable_shards_exception`).
    public func failNextBulkItems(_ count: Int, status: Int = 429) {
        lock.withLock { pendingItemFailures = (count, status) }
    }

    /// The next `count` `_bulk`/`_search`/`_msearch` requests fail as a whole with `status`.
    public func failNextRequests(_ count: Int, status: Int = 503) {
        lock.withLock { pendingRequestFailures = (count, status) }
    }

    /// Every document (bulk item) for which `predicate` holds is rejected
    /// with 400 `mapper_parsing_exception` and `reason`.
    public func rejectDocuments(reason: String, where predicate: @escaping @Sendable ([String: Any]) -> Bool) {
        lock.withLock { rejection = (reason, predicate) }
    }

    /// Whether it is listening.
    public var isUp: Bool { listening.isUp }

    /// Closes the listener and every open connection: clients get "connection refused".
    public func goDown() { listening.goDown() }

    /// Listens again on the same port after ``goDown()``.
    public func comeUp() throws { try listening.comeBack() }

    /// Goes down now and comes back up after `duration`, on a background thread.
    public func goDown(for duration: Duration) {
        goDown()
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        Thread.detachNewThread { [self] in
            Thread.sleep(forTimeInterval: seconds)
            // Rebinding can race the old socket's teardown for a moment: try a few times.
            for _ in 0..<50 {
                if (try? comeUp()) != nil { return }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    // MARK: Routing

    private func answer(_ request: LoopbackHTTPRequest) -> LoopbackHTTPReply {
        let response = handle(request)
        return .respond(status: response.status,
                        headers: ["Content-Type": "application/json; charset=UTF-8", "X-elastic-product": "Elasticsearch"],
                        body: String(decoding: response.body, as: UTF8.self))
    }

    private func handle(_ request: LoopbackHTTPRequest) -> StandInHTTPResponse {
        let parts = request.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        let endpoint = ElasticsearchStandIn.endpoint(method: request.method, parts: parts)
        lock.lock()
        defer { lock.unlock() }
        counts[endpoint, default: 0] += 1
        if let authorization = request.header("authorization") { authorizations.append(authorization) }
        if let requiredAuthorization, request.header("authorization") != requiredAuthorization {
            return error(401, type: "security_exception", reason: "unable to authenticate user for REST request [\(request.path)]")
        }
        if [.bulk, .search, .msearch].contains(endpoint), pendingRequestFailures.count > 0 {
            pendingRequestFailures.count -= 1
            return error(pendingRequestFailures.status, type: "unavailable_shards_exception", reason: "injected: node unavailable")
        }
        switch endpoint {
        case .createIndex: return createIndex(parts[0], body: request.body)
        case .bulk: return bulk(defaultIndex: parts.count == 2 ? parts[0] : nil, body: request.body)
        case .search: return searchResponse(index: parts[0], body: request.body)
        case .msearch: return msearch(defaultIndex: parts.count == 2 ? parts[0] : nil, body: request.body)
        case .getDocument: return getDocument(index: parts[0], id: parts[2])
        case .count:
            guard let target = indices[parts[0]] else { return indexNotFound(parts[0]) }
            return json(200, ["count": target.documents.count, "_shards": shards])
        case .other:
            if request.method == "GET" && parts.isEmpty {
                return json(200, ["name": Self.label, "cluster_name": "sluice-stand-in", "tagline": "You Know, for Search",
                                  "version": ["number": "8.13.0", "minimum_wire_compatibility_version": "7.17.0"]])
            }
            return error(400, type: "illegal_argument_exception", reason: "no handler found for uri [\(request.path)] and method [\(request.method)]")
        }
    }

    private static func endpoint(method: String, parts: [String]) -> Endpoint {
        switch (method, parts.count) {
        case ("PUT", 1) where !parts[0].hasPrefix("_"): .createIndex
        case ("POST", 1) where parts[0] == "_bulk", ("PUT", 1) where parts[0] == "_bulk": .bulk
        case ("POST", 2) where parts[1] == "_bulk", ("PUT", 2) where parts[1] == "_bulk": .bulk
        case ("GET", 2) where parts[1] == "_search", ("POST", 2) where parts[1] == "_search": .search
        case ("GET", 1) where parts[0] == "_msearch", ("POST", 1) where parts[0] == "_msearch": .msearch
        case ("GET", 2) where parts[1] == "_msearch", ("POST", 2) where parts[1] == "_msearch": .msearch
        case ("GET", 3) where parts[1] == "_doc": .getDocument
        case ("GET", 2) where parts[1] == "_count", ("POST", 2) where parts[1] == "_count": .count
        default: .other
        }
    }

    // MARK: Endpoints (called with the lock held)

    private var shards: [String: Any] { ["total": 1, "successful": 1, "skipped": 0, "failed": 0] }

    private func createIndex(_ name: String, body: [UInt8]) -> StandInHTTPResponse {
        if indices[name] != nil {
            return error(400, type: "resource_already_exists_exception", reason: "index [\(name)] already exists", index: name)
        }
        var mappings: [String: String] = [:]
        if !body.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                return error(400, type: "parse_exception", reason: "request body is required to be a JSON object")
            }
            let properties = (object["mappings"] as? [String: Any])?["properties"] as? [String: Any] ?? [:]
            for (field, spec) in properties {
                if let type = (spec as? [String: Any])?["type"] as? String { mappings[field] = type }
            }
        }
        indices[name] = StandInIndex(name: name, mappings: mappings)
        return json(200, ["acknowledged": true, "shards_acknowledged": true, "index": name])
    }

    private func bulk(defaultIndex: String?, body: [UInt8]) -> StandInHTTPResponse {
        let lines = body.split(separator: 10).filter { !$0.allSatisfy { $0 == 32 || $0 == 13 } }
        var items: [[String: Any]] = []
        var errors = false
        var index = 0
        while index < lines.count {
            guard let action = try? JSONSerialization.jsonObject(with: Data(lines[index])) as? [String: Any],
                  action.count == 1, case let (kind, metaValue)? = action.first, let meta = metaValue as? [String: Any],
                  ["index", "create", "delete"].contains(kind) else {
                return error(400, type: "illegal_argument_exception", reason: "Malformed action/metadata line [\(index + 1)]")
            }
            index += 1
            var source: Any?
            if kind != "delete" {
                guard index < lines.count else {
                    return error(400, type: "illegal_argument_exception", reason: "The bulk request must be terminated by a newline [\\n]")
                }
                source = try? JSONSerialization.jsonObject(with: Data(lines[index]))
                index += 1
            }
            bulkItems += 1
            let indexName = meta["_index"] as? String ?? defaultIndex ?? ""
            let id = (meta["_id"] as? String) ?? (meta["_id"] as? NSNumber)?.stringValue ?? UUID().uuidString
            let item = bulkItem(kind: kind, index: indexName, id: id, source: source)
            if (item["status"] as? Int ?? 500) >= 300 { errors = true }
            items.append([kind: item])
        }
        return json(200, ["took": 1, "errors": errors, "items": items])
    }

    private func bulkItem(kind: String, index indexName: String, id: String, source: Any?) -> [String: Any] {
        var item: [String: Any] = ["_index": indexName, "_id": id]
        func failed(_ status: Int, _ type: String, _ reason: String) -> [String: Any] {
            item["status"] = status
            item["error"] = ["type": type, "reason": reason, "index": indexName]
            return item
        }
        if pendingItemFailures.count > 0 {
            pendingItemFailures.count -= 1
            return pendingItemFailures.status == 429
                ? failed(429, "es_rejected_execution_exception", "rejected execution of coordinating operation (injected)")
                : failed(pendingItemFailures.status, "unavailable_shards_exception", "primary shard is not active (injected)")
        }
        guard !indexName.isEmpty else { return failed(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;") }
        let target = indices[indexName] ?? StandInIndex(name: indexName, mappings: [:])
        indices[indexName] = target
        if kind == "delete" {
            guard let existing = target.documents[id] else {
                item["status"] = 404
                item["result"] = "not_found"
                return item
            }
            target.remove(id)
            item.merge(["status": 200, "result": "deleted", "_version": existing.version + 1, "_shards": shards]) { $1 }
            return item
        }
        guard let document = source as? [String: Any] else {
            return failed(400, "mapper_parsing_exception", "failed to parse")
        }
        if let rejection, rejection.predicate(document) {
            return failed(400, "mapper_parsing_exception", rejection.reason)
        }
        if let violation = target.mappingViolation(id: id, source: document) {
            return failed(400, "mapper_parsing_exception", violation)
        }
        if kind == "create", let existing = target.documents[id] {
            return failed(409, "version_conflict_engine_exception",
                          "[\(id)]: version conflict, document already exists (current version [\(existing.version)])")
        }
        let stored = target.put(id: id, source: document)
        item.merge(["status": stored.created ? 201 : 200, "result": stored.created ? "created" : "updated",
                    "_version": stored.version, "_seq_no": stored.sequenceNumber, "_primary_term": 1,
                    "_shards": ["total": 1, "successful": 1, "failed": 0]]) { $1 }
        return item
    }

    private func searchResult(index: String, request: [String: Any]) -> (status: Int, body: [String: Any]) {
        guard let target = indices[index] else {
            return (404, errorBody(404, type: "index_not_found_exception", reason: "no such index [\(index)]", index: index))
        }
        let query = request["query"] as? [String: Any] ?? [:]
        let size = (request["size"] as? NSNumber)?.intValue ?? 10
        let from = (request["from"] as? NSNumber)?.intValue ?? 0
        let matches: [(id: String, score: Double, document: StandInIndex.Document)]
        do {
            matches = try target.search(query)
        } catch {
            return (400, errorBody(400, type: "parsing_exception", reason: error.reason))
        }
        let page = matches.dropFirst(from).prefix(max(0, size))
        let hits: [[String: Any]] = page.map { ["_index": index, "_id": $0.id, "_score": $0.score, "_source": $0.document.source] }
        let maxScore: Any = matches.first.map { $0.score as Any } ?? NSNull()
        return (200, ["took": 1, "timed_out": false, "_shards": shards,
                      "hits": ["total": ["value": matches.count, "relation": "eq"], "max_score": maxScore, "hits": hits]])
    }

    private func searchResponse(index: String, body: [UInt8]) -> StandInHTTPResponse {
        let request: [String: Any]
        if body.isEmpty {
            request = [:]
        } else {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                return error(400, type: "parsing_exception", reason: "request body must be a JSON object")
            }
            request = parsed
        }
        let result = searchResult(index: index, request: request)
        return json(result.status, result.body)
    }

    private func msearch(defaultIndex: String?, body: [UInt8]) -> StandInHTTPResponse {
        let lines = body.split(separator: 10, omittingEmptySubsequences: false).filter { !$0.isEmpty }
        guard lines.count % 2 == 0 else {
            return error(400, type: "illegal_argument_exception", reason: "The msearch request must be terminated by a newline [\\n]")
        }
        var responses: [[String: Any]] = []
        for pair in stride(from: 0, to: lines.count, by: 2) {
            guard let header = try? JSONSerialization.jsonObject(with: Data(lines[pair])) as? [String: Any],
                  let request = try? JSONSerialization.jsonObject(with: Data(lines[pair + 1])) as? [String: Any] else {
                return error(400, type: "parsing_exception", reason: "malformed msearch line [\(pair + 1)]")
            }
            let index = (header["index"] as? String) ?? (header["index"] as? [String])?.first ?? defaultIndex ?? ""
            var result = searchResult(index: index, request: request)
            result.body["status"] = result.status
            responses.append(result.body)
        }
        searchesPerMsearch.append(responses.count)
        return json(200, ["took": 1, "responses": responses])
    }

    private func getDocument(index: String, id: String) -> StandInHTTPResponse {
        guard let target = indices[index] else { return indexNotFound(index) }
        guard let document = target.documents[id] else { return json(404, ["_index": index, "_id": id, "found": false]) }
        return json(200, ["_index": index, "_id": id, "_version": document.version, "_seq_no": document.sequenceNumber,
                          "_primary_term": 1, "found": true, "_source": document.source])
    }

    // MARK: JSON

    private func indexNotFound(_ index: String) -> StandInHTTPResponse {
        error(404, type: "index_not_found_exception", reason: "no such index [\(index)]", index: index)
    }

    private func errorBody(_ status: Int, type: String, reason: String, index: String? = nil) -> [String: Any] {
        var cause: [String: Any] = ["type": type, "reason": reason]
        if let index { cause["index"] = index }
        var error = cause
        error["root_cause"] = [cause]
        return ["error": error, "status": status]
    }

    private func error(_ status: Int, type: String, reason: String, index: String? = nil) -> StandInHTTPResponse {
        json(status, errorBody(status, type: type, reason: reason, index: index))
    }

    private func json(_ status: Int, _ object: [String: Any]) -> StandInHTTPResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return StandInHTTPResponse(status: status, body: Array(data))
    }
}

/// One response of the stand-in before it goes on the wire: a status and a JSON body.
struct StandInHTTPResponse {
    let status: Int
    let body: [UInt8]
}
