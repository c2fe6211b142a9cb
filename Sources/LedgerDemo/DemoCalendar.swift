/// Civil dates as day numbers (days since 1970-01-01, proleptic Gregorian),
/// with the strict `YYYY-MM-DD` form the contract uses. No Foundation: the
/// conversions are Howard Hinnant's `days_from_civil` / `civil_from_days`.
public enum DemoCalendar {
    /// The day number of a civil date (the date must be valid).
    public static func day(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number.
    public static func civil(_ dayNumber: Int) -> (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The day number of a strict `YYYY-MM-DD` string, or nil if it is not one
    /// (wrong shape, month 13, 2013-02-30, …). Years 0001–9999.
    public static func parse(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let dayOfMonth = number(8..<10),
            year >= 1, (1...12).contains(month), dayOfMonth >= 1,
            dayOfMonth <= daysInMonth(year: year, month: month)
        else { return nil }
        return day(year: year, month: month, day: dayOfMonth)
    }

    /// The `YYYY-MM-DD` form of a day number (years 0001–9999).
    public static func string(_ dayNumber: Int) -> String {
        let (year, month, dayOfMonth) = civil(dayNumber)
        var bytes = [UInt8](repeating: UInt8(ascii: "-"), count: 10)
        func put(_ value: Int, at start: Int, width: Int) {
            var rest = value
            for offset in stride(from: width - 1, through: 0, by: -1) {
                bytes[start + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(year, at: 0, width: 4)
        put(month, at: 5, width: 2)
        put(dayOfMonth, at: 8, width: 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A month counted from year 0: `year * 12 + month - 1`.
    static func monthKey(_ dayNumber: Int) -> Int {
        let (year, month, _) = civil(dayNumber)
        return year * 12 + month - 1
    }

    /// The first and last day numbers of a month key.
    static func bounds(monthKey: Int) -> (first: Int, last: Int) {
        let year = monthKey / 12
        let month = monthKey % 12 + 1
        let first = day(year: year, month: month, day: 1)
        return (first, first + daysInMonth(year: year, month: month) - 1)
    }
}
