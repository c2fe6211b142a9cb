/// Doubles in the form of ECMAScript's `Number.prototype.toString` (ECMA-262
/// §7.1.12.1 "Number::toString"), as RFC 8785 §3.2.2.3 requires.
extension CanonicalJSON {
    /// Appends `number` in ECMAScript form.
    ///
    /// Swift's `description` already gives the shortest digits that round-trip
    /// (and the closest such when there is a choice), like ECMAScript; this
    /// only moves the decimal point and writes the exponent the ECMAScript way.
    ///
    /// - Precondition: `number` is finite (RFC 8785: NaN and infinities must fail).
    static func appendNumber(_ number: Double, to output: inout [UInt8]) {
        precondition(number.isFinite, "CanonicalJSON: \(number) has no RFC 8785 form (NaN and infinities are not JSON)")
        if number == 0 {  // +0 and -0 alike
            output.append(UInt8(ascii: "0"))
            return
        }
        if number < 0 { output.append(UInt8(ascii: "-")) }
        let (digits, pointPosition) = decimalDigits(number.magnitude)
        appendECMAScriptForm(digits: digits, pointPosition: pointPosition, to: &output)
    }

    /// The significant digits of `magnitude` (no leading or trailing zeros) and
    /// `n` such that magnitude = 0.d₁d₂…d_k × 10ⁿ — ECMAScript's k digits and n.
    static func decimalDigits(_ magnitude: Double) -> (digits: [UInt8], pointPosition: Int) {
        // Swift writes e.g. "5e-324", "1e+16", "123.0", "0.001", "1.7976931348623157e+308".
        let text = Array(magnitude.description.utf8)
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var digitsBeforePoint: Int? = nil
        var exponent = 0
        var offset = 0
        while offset < text.count {
            let byte = text[offset]
            if byte == UInt8(ascii: ".") {
                digitsBeforePoint = digits.count
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                exponent = Int(String(decoding: text[(offset + 1)...], as: UTF8.self))!
                break
            } else {
                precondition(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), "unexpected Double.description \(magnitude)")
                digits.append(byte)
            }
            offset += 1
        }
        var pointPosition = (digitsBeforePoint ?? digits.count) + exponent
        let leadingZeros = digits.prefix { $0 == UInt8(ascii: "0") }.count
        digits.removeFirst(leadingZeros)
        pointPosition -= leadingZeros
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        precondition(!digits.isEmpty, "a non-zero double has a non-zero digit")
        return (digits, pointPosition)
    }

    /// ECMA-262 Number::toString steps 6–10 for k = digits.count, n = pointPosition.
    static func appendECMAScriptForm(digits: [UInt8], pointPosition n: Int, to output: inout [UInt8]) {
        let k = digits.count
        if k <= n && n <= 21 {
            // Integer: the digits then n − k zeros ("1e+21" is the first exponent form).
            output.append(contentsOf: digits)
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n && n <= 21 {
            // The point inside the digits: "333333333.3333333".
            output.append(contentsOf: digits[0..<n])
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: digits[n...])
        } else if -6 < n && n <= 0 {
            // A small fraction: "0.000001" (1e-6 is the last without exponent).
            output.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: ".")])
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            output.append(contentsOf: digits)
        } else {
            // Exponent form: "1e+21", "1e-7", "1.7976931348623157e+308".
            output.append(digits[0])
            if k > 1 {
                output.append(UInt8(ascii: "."))
                output.append(contentsOf: digits[1...])
            }
            output.append(UInt8(ascii: "e"))
            let exponent = n - 1
            output.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            output.append(contentsOf: String(exponent.magnitude).utf8)
        }
    }
}
