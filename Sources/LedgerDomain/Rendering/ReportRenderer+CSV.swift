/// The per-cell table as RFC 4180 CSV, for spreadsheets and scripts.
///
/// English header keys (the JSON's), numbers as a program reads them: no digit
/// grouping, a decimal point, a zero tenth dropped (100, 92.5) as RFC 8785 writes
/// the same number; booleans `true`/`false`; a missing figure is an empty field.
/// Every record, the last included, ends with CRLF.
extension ReportRenderer {
    static let csvHeader = [
        "cell", "name", "members", "regularMeetings", "thematicMeetings", "monthsMissed", "attendanceRate",
        "inspected", "supervised",
    ]

    static func renderCSV(_ data: ReportData) -> String {
        var records = [csvHeader]
        for row in data.perCell ?? [] {
            records.append([
                row.cell,
                row.name ?? data.cellName(row.cell) ?? "",
                row.members.map { String($0) } ?? "",
                row.regularMeetings.map { String($0) } ?? "",
                row.thematicMeetings.map { String($0) } ?? "",
                row.monthsMissed.map { String($0) } ?? "",
                row.attendanceRate.map(CSVText.decimal) ?? "",
                row.inspected.map { String($0) } ?? "",
                row.supervised.map { String($0) } ?? "",
            ])
        }
        return RenderText.nfc(records.map(CSVText.record).joined())
    }
}

enum CSVText {
    /// One record: fields joined by commas, ended by CRLF.
    static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// A field, quoted (with inner quotes doubled) when it holds a comma, a quote,
    /// CR or LF (RFC 4180 §2.6–2.7).
    static func field(_ s: String) -> String {
        let needsQuotes = s.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return s }
        return "\"" + s.replacing("\"", with: "\"\"") + "\""
    }

    /// 925 tenths → "92.5"; 1000 tenths → "100".
    static func decimal(_ value: OneDecimal) -> String {
        let (negative, whole, tenth) = value.parts
        return (negative ? "-" : "") + String(whole) + (tenth == 0 ? "" : ".\(tenth)")
    }
}
