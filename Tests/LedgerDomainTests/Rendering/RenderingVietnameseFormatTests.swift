import LedgerJSON
import Testing

@testable import LedgerDomain

@Suite("Rendering: Vietnamese numbers, dates, words")
struct RenderingVietnameseFormatTests {
    @Test func decimalCommaAndDotGrouping() {
        #expect(VietnameseFormat.decimal(OneDecimal(tenths: 536)) == "53,6")
        #expect(VietnameseFormat.decimal(OneDecimal(tenths: 1000)) == "100")
        #expect(VietnameseFormat.decimal(OneDecimal(tenths: 5)) == "0,5")
        #expect(VietnameseFormat.decimal(OneDecimal(tenths: 12345)) == "1.234,5")
        #expect(VietnameseFormat.integer(1_234_567) == "1.234.567")
        #expect(VietnameseFormat.integer(999) == "999")
        #expect(VietnameseFormat.integer(nil as Int64?) == "—")
    }

    @Test func percentOfIsRoundedHalfUpToOneDecimal() {
        #expect(OneDecimal.percent(15, of: 28).tenths == 536)  // 53.571…
        #expect(OneDecimal.percent(14, of: 14).tenths == 1000)
        #expect(OneDecimal.percent(1, of: 3).tenths == 333)
        #expect(OneDecimal.percent(2, of: 3).tenths == 667)
        #expect(OneDecimal.percent(1, of: 16).tenths == 63)  // 6.25 → 6.3
        #expect(OneDecimal.percent(5, of: 0).tenths == 0)
        #expect(OneDecimal.percent(JSONValue.integerMagnitudeMax, of: JSONValue.integerMagnitudeMax).tenths == 1000)
    }

    @Test func ratesAreReadAsGivenFromIntDoubleOrString() {
        #expect(OneDecimal(json: .double(53.6))?.tenths == 536)
        #expect(OneDecimal(json: .int(100))?.tenths == 1000)
        #expect(OneDecimal(json: .string("53,6"))?.tenths == 536)
        #expect(OneDecimal(json: .string("87.25"))?.tenths == 873)
        #expect(OneDecimal(json: .null) == nil)
        #expect(OneDecimal(json: nil) == nil)
        #expect(OneDecimal(json: .double(.nan)) == nil)
    }

    @Test func fractionLine() {
        #expect(VietnameseFormat.fraction(15, of: 28, unit: "chi bộ") == "15/28 chi bộ (53,6%)")
        #expect(VietnameseFormat.fraction(0, of: 0, unit: "chi bộ") == "0/0 chi bộ (0%)")
        #expect(VietnameseFormat.fraction(nil, of: 28, unit: "chi bộ") == "—/28 chi bộ")
    }

    @Test func contractCoverageLineExactly() {
        #expect(
            ReportDocument.coverageLine(inspected: 15, of: 28, supervised: 14, of: 14)
                == "Kiểm tra 15/28 chi bộ (53,6%); giám sát 14/14 chi bộ (100%)")
    }

    @Test func datesAreDayMonthYear() {
        #expect(VietnameseFormat.date("2025-03-07") == "07/03/2025")
        #expect(VietnameseFormat.date("2025-12-31") == "31/12/2025")
        #expect(VietnameseFormat.date("31.12.2025") == "31.12.2025")
        #expect(VietnameseFormat.date(nil) == "…")
    }

    @Test func disciplineFormsInVietnamese() {
        #expect(VietnameseFormat.disciplineForm("reprimand") == "khiển trách")
        #expect(VietnameseFormat.disciplineForm("warning") == "cảnh cáo")
        #expect(VietnameseFormat.disciplineForm("dismissal") == "cách chức")
        #expect(VietnameseFormat.disciplineForm("expulsion") == "khai trừ")
        #expect(VietnameseFormat.disciplineForm("dissolution") == "giải tán")
        #expect(VietnameseFormat.disciplineForm("suspension") == "suspension")
    }

    @Test func upperCaseIsVietnameseAndNFC() {
        let decomposed = "Đa\u{309}ng bo\u{323}\u{302} Khô\u{301}i"  // "Đảng bộ Khối" in NFD
        let upper = RenderText.upper(decomposed)
        #expect(Array(upper.unicodeScalars) == Array("ĐẢNG BỘ KHỐI".unicodeScalars))
        #expect(Array("ĐẢNG BỘ KHỐI".unicodeScalars).count == 12)  // the literal itself is NFC
    }
}
