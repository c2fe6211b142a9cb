/// A calendar date in the proleptic Gregorian calendar, with no time and no
/// zone: the business date (`occurredOn`, `dueOn`) of CONTRACT.md.
///
/// Held as a day number (days since 1970-01-01), so comparison, hashing and
/// storage are one `Int32`. Parsing accepts exactly `YYYY-MM-DD` for years
/// `DomainLimits.yearMin...DomainLimits.yearMax`, and refuses dates that do not exist
/// (`2013-02-30`, `2100-02-29`).
public struct BusinessDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it): compact for keys and snapshots.
    public let dayNumber: Int32

    /// A date from its day number, as returned by `dayNumber`.
    /// Precondition: the day number came from a valid `BusinessDate` (it is not range-checked).
    public init(dayNumber: Int32) {
        self.dayNumber = dayNumber
    }

    /// A date from its parts, or nil when the date does not exist or the year
    /// is outside `DomainLimits.yearMin...DomainLimits.yearMax`.
    public init?(year: Int, month: Int, day: Int) {
        guard (DomainLimits.dateYearMin...DomainLimits.dateYearMax).contains(year),
              (1...12).contains(month),
              (1...BusinessDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        dayNumber = Int32(BusinessDate.days(year: year, month: month, day: day))
    }

    /// Strictly `YYYY-MM-DD` (ASCII digits, exactly 10 characters) naming a real date.
    public init?(_ text: String) {
        var text = text
        guard let date = text.withUTF8({ BusinessDate(utf8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = date
    }

    /// `YYYY-MM-DD` in UTF-8, as `init?(_:)` reads it.
    public init?(utf8 bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                let b = bytes[i]
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(b - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var year: Int { civil.year }
    public var month: Int { civil.month }
    public var day: Int { civil.day }

    /// The calendar quarter as one increasing number (`year * 4 + (month - 1) / 3`),
    /// so "the previous quarter" is `quarterIndex - 1`.
    public var quarterIndex: Int { year * 4 + (month - 1) / 3 }

    /// The first day of the quarter `quarterIndex`.
    public static func firstDay(ofQuarter index: Int) -> BusinessDate {
        let y = index >= 0 ? index / 4 : (index - 3) / 4
        let q = index - y * 4
        return BusinessDate(dayNumber: Int32(days(year: y, month: q * 3 + 1, day: 1)))
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = civil
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    public static func < (lhs: BusinessDate, rhs: BusinessDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = BusinessDate(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not a date YYYY-MM-DD between 1900 and 2200")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: Calendar arithmetic (H. Hinnant's days_from_civil / civil_from_days)

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// The number of days in `month` (1–12) of `year`.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    var civil: (year: Int, month: Int, day: Int) {
        let z = Int(dayNumber) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
