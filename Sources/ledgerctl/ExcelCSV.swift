/// The report's CSV rewritten for Excel with Vietnamese regional settings
/// (`report --format csv --excel`): Excel there splits fields on ';' and
/// reads ',' as the decimal mark, needs a UTF-8 byte-order mark to read
/// the Vietnamese text, and takes a field that starts with = + - @ as a
/// formula (a name recorded as "=HYPERLINK(…)" would run when opened).
enum ExcelCSV {
    /// `csv` (RFC 4180: ',' between fields, '"' quoting, CRLF lines) as
    /// ';'-separated fields, decimal points as commas, formula-like text
    /// behind an apostrophe, after a byte-order mark.
    static func rewrite(_ csv: String) -> String {
        var out = "\u{FEFF}"
        for record in records(csv) {
            out += record.map(excelField).joined(separator: ";") + "\r\n"
        }
        return out
    }

    /// The records of `csv`, each a list of unquoted fields.
    static func records(_ csv: String) -> [[String]] {
        var records: [[String]] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(csv)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",":
                fields.append(field)
                field = ""
            case "\r\n", "\n", "\r":
                fields.append(field)
                records.append(fields)
                fields = []
                field = ""
            default: field.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty { records.append(fields + [field]) }
        return records
    }

    private static func excelField(_ field: String) -> String {
        var text = field
        if isDecimal(text) {
            text = text.replacingOccurrences(of: ".", with: ",")
        } else if let first = text.first, "=+-@\t\r".contains(first), Int(text) == nil {
            text = "'" + text
        }
        let needsQuotes = text.contains { $0 == ";" || $0 == "\"" || $0 == "\r\n" || $0 == "\n" || $0 == "\r" }
        return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// "92.9", "-1.5": digits, one point, digits.
    private static func isDecimal(_ text: String) -> Bool {
        let body = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}
