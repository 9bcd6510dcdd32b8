import PropertyBased

/// Generators of text that breaks naive encoders: delimiters of every format
/// the host and plugins write (line protocol, InfluxQL, JSON, YAML, URLs),
/// escapes, line breaks, NUL, and multi-byte UTF-8.
enum HostileText {
    /// Characters that mean something in at least one of the formats.
    static let characters: [Character] = [
        "a", "b", "z", "0", "9", "_", "-", ".", " ", ",", "=", "\\", "\"", "'", "\n", "\r", "\t",
        "{", "}", "[", "]", ":", "#", "&", "*", "!", "|", ">", "%", "/", "?", "@", "$", "\u{0}",
        "é", "ß", "😀", "\u{2028}", "\u{FEFF}", "中",
    ]

    /// One hostile character.
    static let character = Gen<Character?>.element(of: characters).compactMap { $0 }

    /// Strings of 0 to 16 hostile characters (shrinking toward shorter ones).
    static let string = character.string(of: 0...16)

    /// Strings of 1 to 16 hostile characters.
    static let nonEmptyString = character.string(of: 1...16)

    /// Hostile strings for tests whose oracle is Foundation's JSONSerialization.
    /// Its reader drops a U+FEFF that starts a string value (its writer keeps
    /// it; other JSON readers keep it), so these leave that character out.
    static let jsonString = Gen<Character?>.element(of: characters.filter { $0 != "\u{FEFF}" })
        .compactMap { $0 }.string(of: 0...16)
}
