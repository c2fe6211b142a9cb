import LedgerDomain
import Testing

@Suite("Values: dates, limits, error codes")
struct ValuesTests {
    @Test(arguments: ["2013-02-30", "2100-02-29", "2013-13-01", "2013-00-10", "2013-01-00", "13-01-01", "2013-01-01T00:00",
                      "2013/01/01", " 2013-01-01", "２０１３-01-01", "2201-01-01", "1899-12-31", ""])
    func refusesBadDates(_ text: String) {
        #expect(BusinessDate(text) == nil)
    }

    @Test(arguments: ["2012-02-29", "2000-02-29", "1900-01-01", "2200-12-31", "1970-01-01", "2025-10-28"])
    func roundTripsDates(_ text: String) {
        let d = BusinessDate(text)
        #expect(d?.description == text)
        #expect(d.map { BusinessDate(dayNumber: $0.dayNumber) } == d)
    }

    @Test func dayNumbersAreConsecutive() {
        #expect(BusinessDate("1970-01-01")?.dayNumber == 0)
        #expect(BusinessDate("1969-12-31")?.dayNumber == -1)
        var previous = BusinessDate("1900-01-01")!
        #expect(previous.year == 1900 && previous.month == 1 && previous.day == 1)
        var count = 0
        for n in (previous.dayNumber + 1)...BusinessDate("2200-12-31")!.dayNumber {
            let d = BusinessDate(dayNumber: n)
            #expect(d > previous)
            if count % 997 == 0 { #expect(BusinessDate(d.description) == d) }
            previous = d
            count += 1
        }
    }

    @Test func quarters() {
        let d = BusinessDate("2013-05-17")!
        #expect(d.quarterIndex == 2013 * 4 + 1)
        #expect(BusinessDate.firstDay(ofQuarter: d.quarterIndex).description == "2013-04-01")
        #expect(BusinessDate.firstDay(ofQuarter: d.quarterIndex - 2).description == "2012-10-01")
    }

    @Test func limitsRelations() {
        #expect(DomainLimits.idLengthMax < DomainLimits.nameLengthMax)
        #expect(DomainLimits.nameLengthMax < DomainLimits.textLengthMax)
        #expect(DomainLimits.idempotencyKeyLengthMax <= DomainLimits.nameLengthMax)
        #expect(DomainLimits.meetingMinutesMin >= 1 && DomainLimits.meetingMinutesMax == 12 * 60)
        #expect(DomainLimits.birthYearMin >= DomainLimits.dateYearMin)
        #expect(DomainLimits.birthYearMax <= DomainLimits.dateYearMax)
        #expect(DomainLimits.evaluationYearMin >= DomainLimits.dateYearMin)
        #expect(DomainLimits.evaluationYearMax <= DomainLimits.dateYearMax)
        // Every advisory minimum is reachable within the limits.
        for set in AdvisoryRuleSet.all {
            if let m = set.meetingMinutesMin { #expect((DomainLimits.meetingMinutesMin...DomainLimits.meetingMinutesMax).contains(m)) }
        }
        // The largest event stays well under a megabyte record (3 lists of max ids + resolutions).
        let worstMeetingBytes = 3 * DomainLimits.listEntriesMax * (DomainLimits.idLengthMax + 3)
            + DomainLimits.listEntriesMax * (DomainLimits.textLengthMax * 4 + 3)
        #expect(worstMeetingBytes < 1 << 24)
    }

    @Test func errorNumbersAreUniqueAndBanded() {
        let numbers = DomainError.Code.allCases.map(\.number)
        #expect(Set(numbers).count == numbers.count)
        let raws = DomainError.Code.allCases.map(\.rawValue)
        #expect(Set(raws).count == raws.count)
        for code in DomainError.Code.allCases {
            #expect((100..<900).contains(code.number))
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "-" })
        }
        let e = DomainError(.memberNotFound, "who?", field: "data.memberId")
        #expect(e.number == 302)
        #expect(e.description.contains("member-not-found (302) at data.memberId"))
    }

    @Test func ruleSetsAreKeyedByDate() {
        #expect(AdvisoryRuleSet.inEffect(on: BusinessDate("2012-03-14")!).meetingMinutesMin == nil)
        #expect(AdvisoryRuleSet.inEffect(on: BusinessDate("2025-10-27")!).meetingMinutesMin == nil)
        #expect(AdvisoryRuleSet.inEffect(on: BusinessDate("2025-10-28")!).meetingMinutesMin == 90)
        let dates = AdvisoryRuleSet.all.map(\.effectiveFrom)
        #expect(dates == dates.sorted())
    }
}
