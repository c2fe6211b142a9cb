import LedgerJSON

/// A non-integral figure of a report kept as a whole number of tenths, so that
/// rounding happens once, exactly, and printing never meets binary floating point.
///
/// Rates and the average duration are percentages / minutes with one decimal
/// (CONTRACT.md, Reports); `53.6` is `OneDecimal(tenths: 536)`.
struct OneDecimal: Hashable, Sendable {
    var tenths: Int64

    init(tenths: Int64) { self.tenths = tenths }

    /// `n ÷ total × 100`, rounded half up to one decimal; 0 when `total` is not
    /// positive or `n` is negative. Exact: integer arithmetic, no `Double`.
    static func percent(_ n: Int64, of total: Int64) -> OneDecimal {
        guard total > 0, n >= 0 else { return OneDecimal(tenths: 0) }
        let limit = JSONValue.integerMagnitudeMax
        guard n <= limit, total <= limit else {
            return OneDecimal(double: Double(n) / Double(total) * 100) ?? OneDecimal(tenths: 0)
        }
        // tenths = round(n × 1000 / total) = ⌊(2·n·1000 + total) / (2·total)⌋, in 128 bits.
        let numerator = n.multipliedFullWidth(by: 2000)
        let (low, carry) = numerator.low.addingReportingOverflow(UInt64(total))
        let wide = (high: numerator.high + (carry ? 1 : 0), low: low)
        let (quotient, _) = (2 * total).dividingFullWidth(wide)
        return OneDecimal(tenths: quotient)
    }

    /// Reads a number of the report: an integer, a double (rounded half away from
    /// zero to one decimal), or a decimal string such as "53.6" or "53,6".
    /// Anything else (null, missing, not finite, out of range) is nil.
    init?(json: JSONValue?) {
        switch json {
        case .int(let i)?:
            let (t, overflow) = i.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            self.init(tenths: t)
        case .double(let d)?:
            self.init(double: d)
        case .string(let s)?:
            let trimmed = s.trimmingSpaces().replacingComma()
            guard let d = Double(trimmed) else { return nil }
            self.init(double: d)
        default:
            return nil
        }
    }

    init?(double d: Double) {
        guard d.isFinite else { return nil }
        let t = (d * 10).rounded(.toNearestOrAwayFromZero)
        guard t > -9.0e18, t < 9.0e18 else { return nil }
        self.init(tenths: Int64(t))
    }

    /// The integer part and the tenths digit, with the sign apart.
    var parts: (negative: Bool, whole: UInt64, tenth: UInt64) {
        let magnitude = tenths.magnitude
        return (tenths < 0, magnitude / 10, magnitude % 10)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
    fileprivate func replacingComma() -> String {
        String(self.map { $0 == "," ? "." : $0 })
    }
}
