import Foundation
import LedgerDomain
import LedgerWire
import Testing

/// The dates a request may name, checked alike by ledgerctl and the server.
@Suite struct WireDateTests {
    @Test func namesWhatIsWrong() {
        #expect(WireDate.problem("2024-02-29") == nil)
        #expect(WireDate.problem("1900-01-01") == nil)
        #expect(WireDate.problem("2200-12-31") == nil)
        #expect(WireDate.problem("24-02-29") == "wants a date as YYYY-MM-DD; got '24-02-29'")
        #expect(WireDate.problem("+202-01-01") == "wants a date as YYYY-MM-DD; got '+202-01-01'")
        #expect(WireDate.problem("2024-1-01") == "wants a date as YYYY-MM-DD; got '2024-1-01'")
        #expect(WireDate.problem("2024-13-01") == "got '2024-13-01', which is not a date (there is no month 13)")
        #expect(WireDate.problem("2024-01-00") == "got '2024-01-00', which is not a date (there is no day 0)")
        #expect(WireDate.problem("2100-02-29") == "got '2100-02-29', which is not a date (02/2100 has 28 days)")
        #expect(WireDate.problem("1899-12-31") == "got '1899-12-31', outside the dates the ledger keeps (1900-01-01 to 2200-12-31)")
        #expect(WireDate.problem("2201-01-01") == "got '2201-01-01', outside the dates the ledger keeps (1900-01-01 to 2200-12-31)")
    }

    /// LedgerWire cannot see the domain's dates (ledgerctl does not link the
    /// domain), so it has its own rules: they accept exactly the dates the
    /// domain parses, for every month and day number around every year of
    /// the range and a year beyond each end.
    @Test func acceptsExactlyTheDomainsDates() {
        #expect(WireDate.yearMin == DomainLimits.dateYearMin)
        #expect(WireDate.yearMax == DomainLimits.dateYearMax)
        var disagreements: [String] = []
        for year in (DomainLimits.dateYearMin - 1)...(DomainLimits.dateYearMax + 1) {
            for month in 0...13 {
                for day in 0...32 {
                    let text = String(format: "%04d-%02d-%02d", year, month, day)
                    if (WireDate.problem(text) == nil) != (BusinessDate(text) != nil) { disagreements.append(text) }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }
}
