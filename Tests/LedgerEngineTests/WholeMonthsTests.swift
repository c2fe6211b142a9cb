@testable import LedgerEngine
import LedgerDomain
import Testing


/// Whole months are counted from each month's own length, up to the
/// calendar's last month (December 2200).
@Suite struct WholeMonthsTests {
    @Test func everyMonthOfAYearIsWholeUpToTheCalendarsEnd() throws {
        for year in [2024, 2100, 2200] {
            let from = try #require(BusinessDate("\(year)-01-01")), to = try #require(BusinessDate("\(year)-12-31"))
            #expect(CommitteeReport.wholeMonths(from: from, to: to).count == 12, "\(year)")
        }
        let from = try #require(BusinessDate("2024-02-02")), to = try #require(BusinessDate("2024-03-30"))
        #expect(CommitteeReport.wholeMonths(from: from, to: to).isEmpty)
        let leap = try #require(BusinessDate("2024-02-29"))
        #expect(CommitteeReport.wholeMonths(from: try #require(BusinessDate("2024-02-01")), to: leap).count == 1)
    }
}
