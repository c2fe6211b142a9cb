/// Numbers: RFC 8259 grammar, integers within ±(2^53 − 1), doubles only on request.
extension JSONReader {
    /// Parses a number; `index` is on its `-` or first digit.
    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < count else { throw endOfDocument(want: "a digit after '-'") }
        guard isDigit(bytes[index]) else { throw unexpected(want: "a digit after '-'") }

        var magnitude: UInt64 = 0
        var digitCount = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < count && isDigit(bytes[index]) {
                throw fail(.leadingZero, at: start, "number at byte \(start) has a leading zero: want no leading zeros (write 7, not 07)")
            }
        } else {
            while index < count && isDigit(bytes[index]) {
                // 18 digits always fit in UInt64; longer integers are out of range anyway.
                if digitCount < 18 { magnitude = magnitude &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0")) }
                digitCount += 1
                index += 1
            }
        }

        var isInteger = true
        if index < count && bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            try skipDigits(want: "a digit after '.'")
        }
        if index < count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            isInteger = false
            index += 1
            if index < count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            try skipDigits(want: "a digit in the exponent")
        }

        if isInteger {
            if digitCount <= 16 && magnitude <= UInt64(JSONValue.integerMagnitudeMax) {
                let value = Int64(magnitude)
                return .int(negative ? -value : value)
            }
            guard allowFloats else {
                throw fail(
                    .integerOutOfRange, at: start,
                    "integer \(text(start..<index)) at byte \(start) is beyond ±9007199254740991 (2^53 − 1): want a smaller integer, or send it as a string"
                )
            }
        } else if !allowFloats {
            throw fail(
                .numberNotInteger, at: start,
                "floating-point number \(text(start..<index)) at byte \(start): the ledger stores integers only")
        }
        return try parseDouble(start: start)
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    private mutating func skipDigits(want: String) throws(JSONParseError) {
        guard index < count else { throw endOfDocument(want: want) }
        guard isDigit(bytes[index]) else { throw unexpected(want: want) }
        while index < count && isDigit(bytes[index]) { index += 1 }
    }

    /// The number's text, cut short for messages.
    private func text(_ range: Range<Int>) -> String {
        let shown = range.count > 40 ? range.lowerBound..<(range.lowerBound + 40) : range
        let text = String(decoding: UnsafeBufferPointer(start: bytes + shown.lowerBound, count: shown.count), as: UTF8.self)
        return shown.count < range.count ? text + "…" : text
    }

    /// The grammar of `start..<index` is already checked; the conversion is
    /// the platform's correctly rounded `strtod`.
    private func parseDouble(start: Int) throws(JSONParseError) -> JSONValue {
        let text = String(decoding: UnsafeBufferPointer(start: bytes + start, count: index - start), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw fail(
                .numberOutOfRange, at: start,
                "number \(self.text(start..<index)) at byte \(start) is too large for a double: want at most ±1.7976931348623157e+308")
        }
        return .double(value)
    }
}
