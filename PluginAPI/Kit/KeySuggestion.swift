/// "Did you mean …?" for unknown keys: the closest valid key by edit distance,
/// after folding `camelCase` and `kebab-case` to snake_case. The one
/// implementation for `sluice.yaml`, sidecars and every plugin's `config:`.
public enum KeySuggestion {
    /// The valid key closest to `unknown`, or nil when none is plausibly meant.
    public static func closest(to unknown: String, among valid: [String]) -> String? {
        let folded = snakeCased(unknown)
        var best: (key: String, distance: Int)?
        for candidate in valid {
            let distance = editDistance(folded, candidate)
            if distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        // A third of the length tolerates one typo in short keys and a few in long ones.
        let tolerance = max(1, min(folded.count, best.key.count) / 3)
        return best.distance <= tolerance ? best.key : nil
    }

    /// `batchSize` → `batch_size`, `batch-size` → `batch_size`, `BATCH_SIZE` → `batch_size`.
    public static func snakeCased(_ key: String) -> String {
        var result = ""
        var previousWasLower = false
        for character in key {
            if character == "-" || character == " " {
                result.append("_")
                previousWasLower = false
            } else if character.isUppercase {
                if previousWasLower { result.append("_") }
                result.append(contentsOf: character.lowercased())
                previousWasLower = false
            } else {
                result.append(character)
                previousWasLower = character.isLowercase || character.isNumber
            }
        }
        return result
    }

    /// Levenshtein distance over characters.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let left = Array(a), right = Array(b)
        if left.isEmpty { return right.count }
        if right.isEmpty { return left.count }
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for i in 1...left.count {
            current[0] = i
            for j in 1...right.count {
                let substitution = previous[j - 1] + (left[i - 1] == right[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[right.count]
    }
}
