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

    /// The requests' range is the events' range (LedgerWire cannot see the domain's limits).
    @Test func theRangeIsTheDomains() {
        #expect(WireDate.yearMin == DomainLimits.dateYearMin)
        #expect(WireDate.yearMax == DomainLimits.dateYearMax)
        // And every date it accepts is one the domain parses.
        for text in ["1900-01-01", "2200-12-31", "2000-02-29", "2025-06-30"] {
            #expect(WireDate.problem(text) == nil && BusinessDate(text) != nil, "\(text)")
        }
    }
}
