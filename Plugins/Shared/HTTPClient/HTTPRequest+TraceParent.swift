extension HTTPRequest {
    /// This request with a W3C `traceparent` header (the batch span's, from
    /// `MessageBatch.traceparent`), so the receiving service continues the
    /// trace. Unchanged when `traceparent` is nil (tracing off) or when the
    /// request already carries one (a header the operator configured wins).
    public func traced(_ traceparent: String?) -> HTTPRequest {
        guard let traceparent, !headers.contains(where: { $0.name.lowercased() == "traceparent" }) else { return self }
        var request = self
        request.headers.append(HTTPHeader("traceparent", traceparent))
        return request
    }
}
