import SluicePluginKit

/// The NDJSON body of one `_bulk` request: an action line
/// (`{"index":{"_index":…,"_id":…}}` or `create`) and a source line per
/// document. Public for the benchmarks (`Benchmarks/`).
public struct BulkRequest: Sendable {
    /// The body, each line ending in `\n`.
    public private(set) var body: [UInt8] = []
    /// The batch message index of each document, in body order.
    public private(set) var messageIndices: [Int] = []

    /// The bodies for `documents`, split so each holds at most `maxDocuments`
    /// documents and `maxBytes` bytes (a single larger document goes alone).
    public static func split(_ documents: [BulkDocument], index: String, action: ElasticsearchBulkAction,
                             maxDocuments: Int, maxBytes: Int) -> [BulkRequest] {
        // Written by hand, not with JSONSerialization: the same bytes every
        // time (a dictionary's key order is not), and no object tree per document.
        let actionPrefix = Array("{\(JSONText.quoted(action.rawValue)):{\"_index\":\(JSONText.quoted(index)),\"_id\":".utf8)
        let actionSuffix: [UInt8] = Array("}}\n".utf8)
        var requests: [BulkRequest] = []
        var current = BulkRequest()
        for document in documents {
            let quotedID = JSONText.quoted(document.id).utf8
            let size = actionPrefix.count + quotedID.count + actionSuffix.count + document.source.count + 1
            if !current.messageIndices.isEmpty,
               current.messageIndices.count >= maxDocuments || current.body.count + size > maxBytes {
                requests.append(current)
                current = BulkRequest()
            }
            current.body += actionPrefix
            current.body += quotedID
            current.body += actionSuffix
            current.body += document.source
            current.body.append(10)
            current.messageIndices.append(document.messageIndex)
        }
        if !current.messageIndices.isEmpty { requests.append(current) }
        return requests
    }
}
