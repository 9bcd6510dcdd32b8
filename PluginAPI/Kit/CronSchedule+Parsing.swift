extension CronSchedule {
    /// Reads a 5-field expression (see ``CronSchedule``).
    /// - Throws: ``CronSyntaxError`` naming the field that is wrong.
    public init(parsing expression: String) throws(CronSyntaxError) {
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronSyntaxError(expression: expression,
                                  reason: "expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        }
        func field(_ index: Int, _ name: String, _ range: ClosedRange<Int>) throws(CronSyntaxError) -> UInt64 {
            do {
                return try Self.parseField(fields[index], range: range)
            } catch {
                throw CronSyntaxError(expression: expression, reason: "\(name) field '\(fields[index])': \(error.reason)")
            }
        }
        self.expression = expression
        minutes = try field(0, "minute", 0...59)
        hours = try field(1, "hour", 0...23)
        daysOfMonth = try field(2, "day of month", 1...31)
        months = try field(3, "month", 1...12)
        var weekdays = try field(4, "day of week", 0...7)
        if weekdays & (1 << 7) != 0 { weekdays = (weekdays & ~(1 << 7)) | 1 } // 7 is Sunday
        daysOfWeek = weekdays
        dayOfMonthIsStar = fields[2].hasPrefix("*")
        dayOfWeekIsStar = fields[4].hasPrefix("*")
    }

    /// Why one field is wrong (wrapped into ``CronSyntaxError`` by the caller).
    struct FieldError: Error {
        let reason: String
    }

    /// The bit set of one field: a comma-separated list of `*`, `n`, `a-b`, each with an optional `/step`.
    static func parseField(_ text: String, range: ClosedRange<Int>) throws(FieldError) -> UInt64 {
        var bits: UInt64 = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw FieldError(reason: "more than one '/' in '\(part)'") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw FieldError(reason: "step '\(pieces[1])' is not a positive number") }
                step = parsed
            }
            let base = pieces[0]
            let low: Int, high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                guard let first = Int(base[..<dash]), let last = Int(base[base.index(after: dash)...]) else {
                    throw FieldError(reason: "range '\(base)' is not two numbers")
                }
                guard first <= last else { throw FieldError(reason: "range '\(base)' runs backwards") }
                (low, high) = (first, last)
            } else {
                guard let value = Int(base) else { throw FieldError(reason: "'\(base)' is not a number, range or '*'") }
                // `5/15` means from 5 to the end in steps of 15, as in Vixie cron.
                (low, high) = (value, pieces.count == 2 ? range.upperBound : value)
            }
            guard range.contains(low), range.contains(high) else {
                throw FieldError(reason: "\(low == high ? "\(low)" : "\(low)-\(high)") is outside \(range.lowerBound)-\(range.upperBound)")
            }
            for value in stride(from: low, through: high, by: step) { bits |= 1 << UInt64(value) }
        }
        return bits
    }
}
