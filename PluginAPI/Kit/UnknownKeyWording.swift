/// The one wording of an unknown configuration key, shared by the host's
/// `sluice.yaml` and sidecar checks and by every plugin's `config:` check:
/// `expected one of a, b, c, found unknown key "x" (did you mean "y"?)`.
public struct UnknownKeyWording: Sendable, Equatable {
    /// What was expected: `one of` the valid keys, sorted.
    public let expected: String
    /// What was found: the quoted key, and the closest valid key when one is plausibly meant.
    public let found: String

    /// The wording for `key`, which is not among `known`.
    public init(key: String, known: [String]) {
        expected = "one of \(known.sorted().joined(separator: ", "))"
        var found = "unknown key \(FoundValueText.quoted(key))"
        if let suggestion = KeySuggestion.closest(to: key, among: known) {
            found += " (did you mean \"\(suggestion)\"?)"
        }
        self.found = found
    }
}
