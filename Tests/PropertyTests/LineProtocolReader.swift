/// A reader of one InfluxDB 1.x line-protocol line, written from the
/// protocol's documentation independently of the plugin's encoder: a
/// backslash escapes the next character when it is one the element treats
/// as special, and is a literal backslash otherwise. A line break may appear
/// only inside a quoted string field value. As influxd does (checked with
/// influxd 1.6), a line starting with `#` is a comment, and whitespace before
/// the measurement is skipped.
struct LineProtocolReader {
    /// A point read back.
    struct Point: Equatable {
        var measurement = ""
        var tags: [String: String] = [:]
        var fields: [String: String] = [:]
        var timestamp: String?
    }

    /// Why a line could not be read.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    private let scalars: [Unicode.Scalar]
    private var position = 0

    /// Reads `line` as one point.
    static func read(_ line: String) throws -> Point {
        var reader = LineProtocolReader(scalars: Array(line.unicodeScalars))
        return try reader.point()
    }

    private init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func point() throws -> Point {
        var point = Point()
        if current == "#" { throw Malformed(description: "a comment line: influxd ignores it") }
        while current == " " || current == "\t" { position += 1 }
        point.measurement = try name(stoppingAt: [",", " "])
        while current == "," {
            position += 1
            let key = try name(stoppingAt: [",", "=", " "])
            try expect("=")
            point.tags[key] = try name(stoppingAt: [",", "=", " "])
        }
        try expect(" ")
        repeat {
            if current == "," { position += 1 }
            let key = try name(stoppingAt: [",", "=", " "])
            try expect("=")
            point.fields[key] = try fieldValue()
        } while current == ","
        if current == " " {
            position += 1
            point.timestamp = String(String.UnicodeScalarView(scalars[position...]))
            position = scalars.count
        }
        guard current == nil else { throw Malformed(description: "unexpected \(current!) at \(position)") }
        return point
    }

    private mutating func expect(_ scalar: Unicode.Scalar) throws {
        guard current == scalar else { throw Malformed(description: "expected \(scalar) at \(position)") }
        position += 1
    }

    /// A measurement, tag key, tag value or field key, unescaped.
    private mutating func name(stoppingAt special: Set<Unicode.Scalar>) throws -> String {
        var out = String.UnicodeScalarView()
        while let scalar = current, !special.contains(scalar) {
            if scalar == "\n" || scalar == "\r" { throw Malformed(description: "a line break outside a string at \(position)") }
            if scalar == "\\", position + 1 < scalars.count, special.contains(scalars[position + 1]) {
                out.append(scalars[position + 1])
                position += 2
            } else {
                out.append(scalar)
                position += 1
            }
        }
        return String(out)
    }

    /// A field value: a quoted string (unescaped, prefixed with `"` so it
    /// differs from the other kinds) or the bare text of a number or boolean.
    private mutating func fieldValue() throws -> String {
        guard current == "\"" else { return try name(stoppingAt: [",", " "]) }
        position += 1
        var out = String.UnicodeScalarView(["\""])
        while let scalar = current, scalar != "\"" {
            if scalar == "\\", position + 1 < scalars.count, scalars[position + 1] == "\"" || scalars[position + 1] == "\\" {
                out.append(scalars[position + 1])
                position += 2
            } else {
                out.append(scalar)
                position += 1
            }
        }
        try expect("\"")
        return String(out)
    }
}
