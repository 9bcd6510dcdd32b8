import Foundation
import SluiceHost
import SluicePluginKit
import TestSupport

/// Faust's feed activities `{"user": …, "message": …, "timestamp": ISO-8601}`,
/// generated deterministically, with what each user's sorted set must hold.
struct FeedActivities {
    /// Faust's example record, verbatim (spaces and all).
    static let faustRecord = #"{"user": "faust", "message": "Hello from Faust", "timestamp": "2019-05-21T13:55:12.123Z"}"#
    /// Its expected member and score (2019-05-21T13:55:12.123Z in epoch seconds).
    static let faustMember = "Hello from Faust"
    static let faustScore = 1_558_446_912.123

    let users: [String]

    init(users: Int = 50) {
        self.users = (0..<users).map { "user\($0)" }
    }

    /// Activity `index`: its user, JSON text, expected member and expected score.
    /// Timestamps vary in form (`Z` with millis, an offset, whole seconds);
    /// messages carry escapes and non-ASCII text.
    func activity(_ index: Int) -> (user: String, json: String, member: String, score: Double) {
        let user = users[index % users.count]
        let epochMilliseconds: Int64 = 1_558_446_912_123 + Int64(index) * 1_037
        let seconds = epochMilliseconds / 1000
        let millis = epochMilliseconds % 1000
        let timestamp: String
        let score: Double
        switch index % 3 {
        case 0:
            timestamp = Self.iso(seconds, offsetHours: 0) + String(format: ".%03dZ", millis)
            score = Double("\(seconds).\(String(format: "%03d", millis))") ?? .nan
        case 1:
            timestamp = Self.iso(seconds, offsetHours: 2) + String(format: ".%03d+02:00", millis)
            score = Double("\(seconds).\(String(format: "%03d", millis))") ?? .nan
        default:
            timestamp = Self.iso(seconds, offsetHours: 0) + "Z"
            score = Double(seconds)
        }
        let member = index % 2 == 0 ? "m\(index) café \"q\"" : "m\(index) café"
        let encoded = index % 2 == 0 ? #"m\#(index) caf\u00e9 \"q\""# : "m\(index) café"
        return (user, #"{"user":"\#(user)","message":"\#(encoded)","timestamp":"\#(timestamp)"}"#, member, score)
    }

    /// Appends activities `range` to `topic` (keyed by user) on the harness's broker.
    func produce(_ range: Range<Int>, to topic: String = "feed_activities", harness: HostHarness) {
        for index in range {
            let activity = activity(index)
            harness.broker.append(OutgoingRecord(topic: topic, key: Array(activity.user.utf8), value: Array(activity.json.utf8)))
        }
    }

    /// The expected (member → score) of every user's set after activities `range`.
    func expected(_ range: Range<Int>) -> [String: [String: Double]] {
        var sets: [String: [String: Double]] = [:]
        for index in range {
            let activity = activity(index)
            sets[activity.user, default: [:]][activity.member] = activity.score
        }
        return sets
    }

    /// `YYYY-MM-DDThh:mm:ss` of epoch `seconds` shown in UTC+`offsetHours`.
    static func iso(_ seconds: Int64, offsetHours: Int64) -> String {
        let local = seconds + offsetHours * 3600
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - days * 86_400
        let (year, month, day) = CivilCalendar.date(days: days)
        return String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", year, month, day,
                      secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }
}
