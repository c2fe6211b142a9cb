import LedgerDomain
import LedgerJSON
import PropertyBased
import Testing

/// Properties of the small values, with shrinking (swift-property-based).
@Suite("Properties of dates and decoding")
struct ValuePropertyTests {
    static let minDay = BusinessDate("1900-01-01")!.dayNumber
    static let maxDay = BusinessDate("2200-12-31")!.dayNumber

    @Test func dateTextRoundTrips() async {
        await propertyCheck(count: 500, input: Gen.int(in: Int(Self.minDay)...Int(Self.maxDay))) { n in
            let d = BusinessDate(dayNumber: Int32(n))
            #expect(BusinessDate(d.description) == d)
            #expect(BusinessDate(year: d.year, month: d.month, day: d.day) == d)
            #expect(BusinessDate.firstDay(ofQuarter: d.quarterIndex) <= d)
        }
    }

    @Test func partsOutsideTheCalendarAreRefused() async {
        await propertyCheck(count: 500, input: Gen.int(in: 1900...2200), Gen.int(in: 1...12), Gen.int(in: 29...40)) { y, m, day in
            let valid = BusinessDate(year: y, month: m, day: day) != nil
            let monthLength = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
            #expect(valid == (day <= monthLength))
        }
    }

    @Test func idsAreAcceptedExactlyWhenTheyMatchThePattern() async {
        let alphabet = Gen.oneOf(Gen.letterOrNumber, Gen.always("."), Gen.always("_"), Gen.always("-"), Gen.always(" "), Gen.always("đ"), Gen.always("/"))
        await propertyCheck(count: 500, input: alphabet.string(of: 0...70)) { text in
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
            let matches = (1...DomainLimits.idLengthMax).contains(text.count) && text.allSatisfy { allowed.contains($0) }
            let decoded = (try? SubmissionDecoder.decode([
                "type": "MemberConfirmed", "occurredOn": "2012-01-01", "data": ["memberId": .string(text)],
            ])) != nil
            #expect(decoded == matches, "\(text.debugDescription)")
        }
    }
}
