import LedgerDomain
import LedgerJSON
import Testing

@Suite("Rendering: the signed text report")
struct RenderingTextReportTests {
    let text = ReportRenderer.text(RenderingFixtures.report)

    private func section(_ n: String) -> [String] { RenderingFixtures.section(n, in: text) }

    @Test func headedLikeABaoCao() {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(
            Array(lines.prefix(5)) == [
                "ĐẢNG BỘ KHỐI CÁC CƠ QUAN TỈNH" + String(repeating: " ", count: 11) + "ĐẢNG CỘNG SẢN VIỆT NAM",
                "",
                "BÁO CÁO",
                "Tình hình sinh hoạt chi bộ, kiểm tra, giám sát và kỷ luật đảng",
                "từ ngày 01/01/2025 đến ngày 31/12/2025",
            ])
    }

    /// A name too long for the left column puts the Party on the line below.
    @Test func aLongIssuerPutsThePartyBelow() {
        let long = "ĐẢNG BỘ KHỐI DOANH NGHIỆP VÀ CÁC CƠ QUAN TRUNG ƯƠNG"
        let lines = ReportRenderer.text(RenderingFixtures.report(["organizationName": .string(long)]))
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("ĐẢNG BỘ KHỐI DOANH NGHIỆP") == true, "\(lines.prefix(3))")
        #expect(lines.dropFirst().first == String(repeating: " ", count: 40) + "ĐẢNG CỘNG SẢN VIỆT NAM")
    }

    @Test func sectionsInOrder() {
        let titles = text.split(separator: "\n").filter { $0.first?.isUppercase == true && $0.contains(". ") }
        #expect(
            titles == [
                "I. Tình hình chung",
                "II. Sinh hoạt chi bộ",
                "III. Công tác kiểm tra, giám sát",
                "IV. Kỷ luật đảng",
                "V. Đảng viên nghỉ hưu chưa chuyển sinh hoạt về nơi cư trú",
                "VI. Đảng viên chưa được phân công nhiệm vụ",
            ])
    }

    /// A period with no meeting, or no whole month, gives the contract's 0 %
    /// and 100 % in the JSON; the signed text says why there is no figure.
    @Test func noMeetingsAndNoWholeMonthAreSaidNotComputed() {
        let empty = ReportRenderer.text(RenderingFixtures.report([
            "regularMeetings": 0, "thematicMeetings": 0, "attendanceRate": 0, "speakerRate": 0,
            "averageDurationMinutes": 0, "minutesRecordedRate": 0, "months": 0, "cellsMeetingMonthly": 28,
        ]))
        let lines = RenderingFixtures.section("II", in: empty)
        #expect(lines.contains("- Chi bộ sinh hoạt đủ hằng tháng (0 tháng trọn trong kỳ): — (kỳ báo cáo không có tháng trọn nào)"))
        #expect(lines.contains("- Số cuộc sinh hoạt định kỳ: 0; sinh hoạt chuyên đề: 0"))
        #expect(lines.contains("- Tỷ lệ đảng viên dự sinh hoạt: — (không có cuộc sinh hoạt nào trong kỳ)"))
        #expect(lines.contains("- Thời lượng bình quân mỗi cuộc sinh hoạt: — (không có cuộc sinh hoạt nào trong kỳ)"))
        #expect(lines.contains("- Tỷ lệ cuộc sinh hoạt có biên bản: — (không có cuộc sinh hoạt nào trong kỳ)"))
        #expect(!lines.contains { $0.contains("0%") || $0.contains("100%") }, "\(lines)")
    }

    @Test func generalSectionWithGroupedCounts() {
        #expect(
            section("I") == [
                "I. Tình hình chung",
                "- Số chi bộ: 28",
                "- Số đảng viên đến ngày 31/12/2025: 1.234",
            ])
    }

    @Test func meetingsSection() {
        #expect(
            section("II") == [
                "II. Sinh hoạt chi bộ",
                "- Chi bộ sinh hoạt đủ hằng tháng (12 tháng trọn trong kỳ): 20/28 chi bộ (71,4%)",
                "- Số cuộc sinh hoạt định kỳ: 310; sinh hoạt chuyên đề: 45",
                "- Tỷ lệ đảng viên dự sinh hoạt: 92,3%",
                "- Tỷ lệ đảng viên phát biểu ý kiến (trên số dự): 41%",
                "- Thời lượng bình quân mỗi cuộc sinh hoạt: 95,5 phút",
                "- Tỷ lệ cuộc sinh hoạt có biên bản: 100%",
                "- Các chi bộ chưa sinh hoạt đủ:",
                "  + Chi bộ Phòng Tổ chức (CB-03): thiếu 2 tháng",
                "  + Chi bộ Văn phòng, Hành chính (CB-07): thiếu 1 tháng",
            ])
    }

    @Test func inspectionSectionInTheContractStyle() {
        #expect(
            section("III") == [
                "III. Công tác kiểm tra, giám sát",
                "- Kiểm tra 15/28 chi bộ (53,6%); giám sát 14/28 chi bộ (50%)",
                "- Số cuộc kiểm tra: 17 (kể cả kiểm tra khi có dấu hiệu vi phạm); số cuộc giám sát: 14",
            ])
        let full = ReportRenderer.text(RenderingFixtures.report(["cells": 14, "inspectedCells": 7]))
        #expect(full.contains("\n- Kiểm tra 7/14 chi bộ (50%); giám sát 14/14 chi bộ (100%)\n"))
    }

    @Test func disciplineByFormMildestFirst() {
        #expect(
            section("IV") == [
                "IV. Kỷ luật đảng",
                "- Tổng số: 4 trường hợp, trong đó:",
                "  + Khiển trách: 2",
                "  + Cảnh cáo: 1",
                "  + Khai trừ: 1",
            ])
        let all = ReportRenderer.text(
            RenderingFixtures.report([
                "disciplines": ["dissolution": 1, "dismissal": 3, "reprimand": 1, "warning": 1, "expulsion": 1]
            ]))
        #expect(
            RenderingFixtures.section("IV", in: all).dropFirst(2) == [
                "  + Khiển trách: 1", "  + Cảnh cáo: 1", "  + Cách chức: 3", "  + Khai trừ: 1", "  + Giải tán: 1",
            ])
    }

    @Test func retireesWithNamesAndIDs() {
        #expect(
            section("V") == [
                "V. Đảng viên nghỉ hưu chưa chuyển sinh hoạt về nơi cư trú",
                "- Tổng số: 2 đảng viên, gồm:",
                "  + Trần Thị Bình (DV-0007)",
                "  + DV-0100",
            ])
    }

    @Test func longMemberListIsTruncatedAfterFifty() {
        let lines = section("VI")
        #expect(lines.count == 2 + 50 + 1)
        #expect(lines[1] == "- Tổng số: 73 đảng viên, gồm:")
        #expect(lines[2] == "  + Lê Văn Cường (DV-T001)")
        #expect(lines[51] == "  + DV-T050")
        #expect(lines.last == "  + … và 23 đảng viên khác")
        #expect(!text.contains("DV-T051"))
    }

    @Test func fiftyMembersAreAllListed() {
        let fifty = JSONValue.array(Array(RenderingFixtures.withoutTaskIDs.prefix(50)))
        let lines = RenderingFixtures.section("VI", in: ReportRenderer.text(RenderingFixtures.report(["membersWithoutTask": fifty])))
        #expect(lines.count == 2 + 50)
        #expect(lines.last == "  + DV-T050")
    }

    @Test func khongCoWhenThereIsNothingToReport() {
        let quiet = ReportRenderer.text(
            RenderingFixtures.report([
                "disciplines": [:], "retireesPendingTransfer": [], "membersWithoutTask": [],
                "cellsMissingMeetings": [], "cellsMeetingMonthly": 28,
            ]))
        #expect(RenderingFixtures.section("IV", in: quiet) == ["IV. Kỷ luật đảng", "- Không có"])
        #expect(RenderingFixtures.section("V", in: quiet).last == "- Không có")
        #expect(RenderingFixtures.section("VI", in: quiet).last == "- Không có")
        #expect(RenderingFixtures.section("II", in: quiet).last == "- Các chi bộ chưa sinh hoạt đủ: Không có")
        // Only zero counts is still none.
        let zeros = ReportRenderer.text(RenderingFixtures.report(["disciplines": ["warning": 0]]))
        #expect(RenderingFixtures.section("IV", in: zeros) == ["IV. Kỷ luật đảng", "- Không có"])
    }

    @Test func endsWithPlaceDateAndSignature() {
        let pad = String(repeating: " ", count: 40)
        #expect(
            text.hasSuffix(
                "\n\n\(pad)……, ngày … tháng … năm …\n\(pad)T/M BAN THƯỜNG VỤ\n\(pad)(Ký, ghi rõ họ tên)\n"))
    }

    @Test func outputIsNFCEvenFromDecomposedInput() {
        let nfd = ReportRenderer.text(
            RenderingFixtures.report([
                "organizationName": "Đa\u{309}ng bô\u{323} Khô\u{301}i",
                "memberNames": ["DV-0007": "Trâ\u{300}n Thi\u{323} Bi\u{300}nh"],
            ]))
        let combining = nfd.unicodeScalars.filter { $0.properties.generalCategory == .nonspacingMark }
        #expect(combining.isEmpty)
        #expect(nfd.unicodeScalars.starts(with: "ĐẢNG BỘ KHỐI  ".unicodeScalars))
        let retiree = RenderingFixtures.section("V", in: nfd)[2].unicodeScalars
        #expect(Array(retiree) == Array("  + Trần Thị Bình (DV-0007)".unicodeScalars))
    }

    @Test func missingExtrasFallBackToCodes() {
        let bare = ReportRenderer.text(RenderingFixtures.bare)
        #expect(bare.hasPrefix("DBK-CQT  "))
        #expect(bare.contains("\n- Chi bộ sinh hoạt đủ hằng tháng: 20/28 chi bộ (71,4%)\n"))
        #expect(bare.contains("\n  + CB-03: thiếu 2 tháng\n"))
        #expect(bare.contains("\n  + DV-0007\n"))
        #expect(!bare.contains("Trần Thị Bình"))
    }

    @Test func missingContractFiguresAreNotInventedZeros() {
        let empty = ReportRenderer.text(.object([:]))
        #expect(empty.hasPrefix("—  "))
        #expect(empty.contains("\ntừ ngày … đến ngày …\n"))
        #expect(empty.contains("\n- Số chi bộ: —\n"))
        #expect(empty.contains("\n- Kiểm tra —/— chi bộ; giám sát —/— chi bộ\n"))
        #expect(RenderingFixtures.section("IV", in: empty) == ["IV. Kỷ luật đảng", "- Không có số liệu"])
        #expect(RenderingFixtures.section("VI", in: empty).last == "- Không có số liệu")
        #expect(!empty.contains("Không có\n"))
    }
}
