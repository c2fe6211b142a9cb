/// Plain-text layout of the signed report.
///
/// ```
/// ĐẢNG BỘ KHỐI CÁC CƠ QUAN TỈNH          ĐẢNG CỘNG SẢN VIỆT NAM
///
/// BÁO CÁO
/// Tình hình sinh hoạt chi bộ, kiểm tra, giám sát và kỷ luật đảng
/// từ ngày 01/01/2025 đến ngày 31/12/2025
///
/// I. Tình hình chung
/// - Số chi bộ: 28
///   + (sub-items, e.g. a cell missing meetings)
/// …
///                                         ……, ngày … tháng … năm …
///                                         T/M BAN THƯỜNG VỤ
/// ```
extension ReportRenderer {
    /// The column where the right-hand blocks (party line, signature) start.
    static let rightColumn = String(repeating: " ", count: 40)

    static func renderText(_ doc: ReportDocument) -> String {
        // The issuer on the left and the Party on the right of one line, as
        // a Party document is headed; a name too long for the left column
        // puts the Party on the line below.
        let issuer = doc.issuer
        let header = issuer.count + 2 <= rightColumn.count
            ? [issuer + String(repeating: " ", count: rightColumn.count - issuer.count) + ReportDocument.party]
            : [issuer, rightColumn + ReportDocument.party]
        var lines: [String] = header + [
            "",
            ReportDocument.title,
            ReportDocument.subject,
            doc.period,
        ]
        for section in doc.sections {
            lines.append("")
            lines.append("\(section.number). \(section.title)")
            for item in section.items {
                lines.append("- " + item.text)
                lines += item.subitems.map { "  + " + $0 }
            }
        }
        lines.append("")
        lines.append(rightColumn + ReportDocument.placeAndDate)
        lines += ReportDocument.signature.map { rightColumn + $0 }
        return RenderText.nfc(lines.joined(separator: "\n") + "\n")
    }
}
