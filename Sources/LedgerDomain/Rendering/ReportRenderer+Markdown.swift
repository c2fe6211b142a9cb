/// Markdown layout: the signed report's content, then the per-cell table as an appendix.
extension ReportRenderer {
    static let cellTableHeader = [
        "Chi bộ", "Đảng viên", "Định kỳ", "Chuyên đề", "Tháng thiếu", "Dự họp %", "Kiểm tra", "Giám sát",
    ]

    static func renderMarkdown(_ doc: ReportDocument, cells data: ReportData) -> String {
        let md = MarkdownText.escape
        var lines: [String] = [
            "**\(md(doc.issuer))** — **\(ReportDocument.party)**",
            "",
            "# \(ReportDocument.title)",
            "",
            "**\(ReportDocument.subject)**",
            "",
            md(doc.period),
        ]
        for section in doc.sections {
            lines += ["", "## \(section.number). \(section.title)", ""]
            for item in section.items {
                lines.append("- " + md(item.text))
                lines += item.subitems.map { "  - " + md($0) }
            }
        }
        lines += ["", "*\(ReportDocument.placeAndDate)*", ""]
        lines += ["**\(ReportDocument.signature[0])**", ""] + ReportDocument.signature.dropFirst()

        lines += ["", "## Phụ lục: Số liệu theo chi bộ", ""]
        if let rows = data.perCell {
            lines.append("| " + cellTableHeader.joined(separator: " | ") + " |")
            lines.append("|:--|--:|--:|--:|--:|--:|:-:|:-:|")
            for row in rows {
                let fields = [
                    md(data.cellLabel(row)),
                    VietnameseFormat.integer(row.members),
                    VietnameseFormat.integer(row.regularMeetings),
                    VietnameseFormat.integer(row.thematicMeetings),
                    VietnameseFormat.integer(row.monthsMissed),
                    VietnameseFormat.decimal(row.attendanceRate),
                    yesNo(row.inspected),
                    yesNo(row.supervised),
                ]
                lines.append("| " + fields.joined(separator: " | ") + " |")
            }
        } else {
            lines.append(ReportDocument.noData + ".")
        }
        return RenderText.nfc(lines.joined(separator: "\n") + "\n")
    }

    private static func yesNo(_ flag: Bool?) -> String {
        switch flag {
        case true?: return "Có"
        case false?: return "Không"
        case nil: return VietnameseFormat.missing
        }
    }
}

enum MarkdownText {
    /// Backslash-escapes the characters that Markdown (CommonMark, GFM tables)
    /// would read as markup, so a name like "A|B *x*" prints as written.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            if special.contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    private static let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "#", "~"]
}
