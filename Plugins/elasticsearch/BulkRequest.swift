/// One document for `_bulk`: its `_id` and its source, one line of JSON.
struct BulkDocument {
    /// The message index in the batch this document came from.
    let messageIndex: Int
    /// The `_id`.
    let id: String
    /// The source as one line of JSON (no newline).
    let source: [UInt8]
}

/// The NDJSON body of one `_bulk` request: an action line
/// (`{"index": {"_index", "_id"}}` or `create`) and a source line per document.
struct BulkRequest {
    /// The body, each line ending in `\n`.
    private(set) var body: [UInt8] = []
    /// The batch message index of each document, in body order.
    private(set) var messageIndices: [Int] = []

    /// The bodies for `documents`, split so each holds at most `maxDocuments`
    /// documents and `maxBytes` bytes (a single larger document goes alone).
    static func split(_ documents: [BulkDocument], index: String, action: ElasticsearchConfiguration.BulkAction,
                      maxDocuments: Int, maxBytes: Int) -> [BulkRequest] {
        var requests: [BulkRequest] = []
        var current = BulkRequest()
        for document in documents {
            var lines = JSONLine.encode([action.rawValue: ["_index": index, "_id": document.id]])
            lines += document.source
            lines.append(10)
            if !current.messageIndices.isEmpty,
               current.messageIndices.count >= maxDocuments || current.body.count + lines.count > maxBytes {
                requests.append(current)
                current = BulkRequest()
            }
            current.body += lines
            current.messageIndices.append(document.messageIndex)
        }
        if !current.messageIndices.isEmpty { requests.append(current) }
        return requests
    }
}
