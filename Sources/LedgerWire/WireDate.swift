/// The business dates a request may name (`asOf`, a report's or a meeting
/// list's `from` and `to`): `YYYY-MM-DD`, a day that exists, in the years
/// the ledger keeps (the same as the events' dates, `DomainLimits`).
///
/// Checked by `ledgerctl` before it sends a request and by the server when
/// one arrives, with the same words, so that a person is told which part is
/// wrong: the form, the day, or the range.
public enum WireDate {
    public static let yearMin = 1900
    public static let yearMax = 2200

    /// What is wrong with `text` as a date, or nil if it is one; worded to
    /// follow the argument's name ("--from got '2025-02-30', …").
    public static func problem(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return "wants a date as YYYY-MM-DD; got '\(text)'" }
        guard (1...12).contains(m) else { return "got '\(text)', which is not a date (there is no month \(m))" }
        let days = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d >= 1 else { return "got '\(text)', which is not a date (there is no day \(d))" }
        guard d <= days[m - 1] else {
            return "got '\(text)', which is not a date (\(parts[1])/\(y) has \(days[m - 1]) days)"
        }
        guard (yearMin...yearMax).contains(y) else {
            return "got '\(text)', outside the dates the ledger keeps (\(yearMin)-01-01 to \(yearMax)-12-31)"
        }
        return nil
    }
}
