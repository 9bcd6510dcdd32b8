/// One page view, as read from `page_views`: `{"user": "...", "page": "..."}`.
struct PageView: Decodable, Sendable {
    let user: String
    let page: String
}
