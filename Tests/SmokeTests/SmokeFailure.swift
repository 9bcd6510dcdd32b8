/// A smoke test step that failed, with what the library or service said.
struct SmokeFailure: Error, CustomStringConvertible {
    /// What went wrong, in words.
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
