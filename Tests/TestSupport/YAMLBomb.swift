/// A "billion laughs" YAML document of about 400 bytes: nine levels of nine
/// aliases each, 9^9 (387 million) strings once expanded. Configuration
/// readers must refuse it at once instead of expanding it.
public enum YAMLBomb {
    /// The document with the last level's list under `key` (written at
    /// `indent` spaces, after the lines that lead to it).
    public static func document(leadingLines: [String] = [], key: String, indent: Int = 0) -> String {
        let levels = """
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
            h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]

            """
        let last = String(repeating: " ", count: indent) + "\(key): &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
        return levels + leadingLines.map { $0 + "\n" }.joined() + last
    }
}
