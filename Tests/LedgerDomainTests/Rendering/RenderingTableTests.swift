import LedgerDomain
import LedgerJSON
import Testing

@testable import LedgerDomain

@Suite("Rendering: Markdown and CSV")
struct RenderingTableTests {
    @Test func csvGolden() {
        let expected =
            "cell,name,members,regularMeetings,thematicMeetings,monthsMissed,attendanceRate,inspected,supervised\r\n"
            + "CB-01,Chi bộ Ban Tuyên giáo,12,12,2,0,95,true,false\r\n"
            + "CB-03,Chi bộ Phòng Tổ chức,9,10,1,2,88.9,false,true\r\n"
            + "CB-07,\"Chi bộ Văn phòng, \"\"Hành chính\"\"\",20,11,4,1,100,true,true\r\n"
        let csv = ReportRenderer.csv(RenderingFixtures.report)
        #expect(csv == expected)
        #expect(Array(csv.utf8) == Array(expected.utf8))  // byte for byte: CRLF, NFC
    }

    @Test func csvLineEndsAreCRLFOnly() {
        let bytes = Array(ReportRenderer.csv(RenderingFixtures.report).utf8)
        let lf = bytes.indices.filter { bytes[$0] == 0x0A }
        #expect(lf.count == 4)
        #expect(lf.allSatisfy { $0 > 0 && bytes[$0 - 1] == 0x0D })
    }

    @Test func csvFieldQuoting() {
        #expect(CSVText.field("plain") == "plain")
        #expect(CSVText.field("a,b") == "\"a,b\"")
        #expect(CSVText.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVText.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVText.field("cr\rhere") == "\"cr\rhere\"")
        #expect(CSVText.record(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
    }

    @Test func csvWithoutPerCellIsJustTheHeader() {
        #expect(
            ReportRenderer.csv(RenderingFixtures.bare)
                == "cell,name,members,regularMeetings,thematicMeetings,monthsMissed,attendanceRate,inspected,supervised\r\n")
    }

    @Test func csvNameFallsBackToCellNamesThenEmpty() {
        let rows: JSONValue = [["cell": "CB-03", "members": 9], ["cell": "CB-99", "attendanceRate": .double(87.46)]]
        let csv = ReportRenderer.csv(RenderingFixtures.report(["perCell": rows]))
        #expect(csv.hasSuffix("\r\nCB-03,Chi bộ Phòng Tổ chức,9,,,,,,\r\nCB-99,,,,,,87.5,,\r\n"))
    }

    @Test func markdownHasTheSameSectionsAndATableRowPerCell() {
        let md = ReportRenderer.markdown(RenderingFixtures.report)
        let lines = md.split(separator: "\n").map(String.init)
        #expect(lines.first == "**ĐẢNG BỘ KHỐI CÁC CƠ QUAN TỈNH** — **ĐẢNG CỘNG SẢN VIỆT NAM**")
        #expect(lines.contains("# BÁO CÁO"))
        #expect(lines.filter { $0.hasPrefix("## ") }.count == 7)  // I–VI and the appendix
        #expect(lines.contains("## III. Công tác kiểm tra, giám sát"))
        #expect(lines.contains("- Kiểm tra 15/28 chi bộ (53,6%); giám sát 14/28 chi bộ (50%)"))
        #expect(lines.contains("  - Khiển trách: 2"))
        #expect(lines.contains("  - … và 23 đảng viên khác"))
        #expect(lines.contains("**T/M BAN THƯỜNG VỤ**"))

        let table = lines.filter { $0.hasPrefix("|") }
        #expect(table.count == 2 + 3)
        #expect(table[0] == "| Chi bộ | Đảng viên | Định kỳ | Chuyên đề | Tháng thiếu | Dự họp % | Kiểm tra | Giám sát |")
        #expect(table[2] == "| Chi bộ Ban Tuyên giáo (CB-01) | 12 | 12 | 2 | 0 | 95 | Có | Không |")
        #expect(table[3] == "| Chi bộ Phòng Tổ chức (CB-03) | 9 | 10 | 1 | 2 | 88,9 | Không | Có |")
        #expect(table[4] == "| Chi bộ Văn phòng, \"Hành chính\" (CB-07) | 20 | 11 | 4 | 1 | 100 | Có | Có |")
    }

    @Test func markdownEscapesNamesThatLookLikeMarkup() {
        let md = ReportRenderer.markdown(
            RenderingFixtures.report(["perCell": [["cell": "CB-09", "name": "Tổ 1|2 *mới*", "members": 3]]]))
        let table = md.split(separator: "\n").filter { $0.hasPrefix("|") }
        #expect(table.count == 3)
        #expect(table[2] == "| Tổ 1\\|2 \\*mới\\* (CB-09) | 3 | — | — | — | — | — | — |")
    }

    @Test func markdownWithoutPerCellHasNoTable() {
        let md = ReportRenderer.markdown(RenderingFixtures.bare)
        #expect(!md.split(separator: "\n").contains { $0.hasPrefix("|") })
        #expect(md.hasSuffix("## Phụ lục: Số liệu theo chi bộ\n\nKhông có số liệu.\n"))
        #expect(md.hasPrefix("**DBK-CQT** — "))
        #expect(md.contains("\n  - CB-03: thiếu 2 tháng\n"))
    }
}
