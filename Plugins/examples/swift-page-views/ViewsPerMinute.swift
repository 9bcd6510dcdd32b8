/// One closed minute of one user, as produced to `page_views_per_minute`.
struct ViewsPerMinute: Encodable {
    let user: String
    /// The window start, epoch milliseconds.
    let windowStart: Int64
    /// The window end (exclusive), epoch milliseconds.
    let windowEnd: Int64
    let views: Int

    enum CodingKeys: String, CodingKey {
        case user
        case windowStart = "window_start"
        case windowEnd = "window_end"
        case views
    }
}
