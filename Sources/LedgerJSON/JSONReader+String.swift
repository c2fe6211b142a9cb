/// Strings: UTF-8 validation, escapes, control characters, the length limit.
extension JSONReader {
    /// Parses a string; `index` is on its opening quote and ends past the closing one.
    ///
    /// Fast path: a string without escapes is validated in place and copied
    /// into a `String` in one go. The first backslash moves to ``parseEscapedString(start:runStart:)``.
    mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1
        let runStart = index
        skipPlainWords()
        while index < count {
            let byte = bytes[index]
            if Self.isPlain[Int(byte)] {
                index += 1
            } else if byte == UInt8(ascii: "\"") {
                let length = index - runStart
                if length > limits.stringBytesMax { throw stringTooLong(length, start: start) }
                index += 1
                return String(decoding: UnsafeBufferPointer(start: bytes + runStart, count: length), as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(start: start, runStart: runStart)
            } else if byte < 0x20 {
                throw controlCharacter(at: index)
            } else if byte < 0x80 {
                index += 1
            } else {
                try skipMultiByteScalar()
            }
        }
        throw endOfDocument(want: "'\"' to close the string at byte \(start)")
    }

    /// Bytes that need no attention inside a string: ASCII from 0x20 except `"` and `\\`.
    static let isPlain: [Bool] = (0...255).map { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C }

    /// Skips 8 bytes at a time while none of them is `"`, `\\`, a control
    /// character or non-ASCII (SWAR: "Bit Twiddling Hacks", hasless/haszero).
    @inline(__always)
    private mutating func skipPlainWords() {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= count {
            let word = UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special =
                (word &- ones &* 0x20)  // a byte below 0x20
                | (quote &- ones) & ~quote  // a '"'
                | (backslash &- ones) & ~backslash  // a '\\'
                | word  // a byte of 0x80 or more
            if special & highs != 0 { return }
            index += 8
        }
    }

    /// The slow path: `index` is on the first backslash; the bytes of
    /// `runStart..<index` are plain and valid.
    private mutating func parseEscapedString(start: Int, runStart: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: bytes + runStart, count: index - runStart))
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if scratch.count > limits.stringBytesMax { throw stringTooLong(scratch.count, start: start) }
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                try appendEscape()
            } else if byte < 0x20 {
                throw controlCharacter(at: index)
            } else if byte < 0x80 {
                scratch.append(byte)
                index += 1
            } else {
                let scalarStart = index
                try skipMultiByteScalar()
                scratch.append(contentsOf: UnsafeBufferPointer(start: bytes + scalarStart, count: index - scalarStart))
            }
            if scratch.count > limits.stringBytesMax { throw stringTooLong(scratch.count, start: start) }
        }
        throw endOfDocument(want: "'\"' to close the string at byte \(start)")
    }

    /// Error builders are only called on the way out: calling a method of
    /// `self` from a `mutating` hot loop copies the reader.
    private func stringTooLong(_ length: Int, start: Int) -> JSONParseError {
        fail(
            .stringTooLong, at: start,
            "string at byte \(start) has \(length) UTF-8 bytes or more: at most \(limits.stringBytesMax) are allowed")
    }

    private func controlCharacter(at offset: Int) -> JSONParseError {
        fail(
            .controlCharacter, at: offset,
            "got unescaped control character \(describe(at: offset)) at byte \(offset) in a string: want it escaped (\\n, \\t, \\u00XX)"
        )
    }

    /// Decodes the escape at `index` (on the backslash) into `scratch`.
    private mutating func appendEscape() throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard index < count else { throw endOfDocument(want: "an escape after '\\'") }
        let letter = bytes[index]
        index += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(letter)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var unit = try readHex4(escapeStart: escapeStart)
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw loneSurrogate(unit, at: escapeStart, "a low surrogate with no high surrogate before it")
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard index + 1 < count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw loneSurrogate(unit, at: escapeStart, "a high surrogate not followed by a \\u low surrogate")
                }
                let lowStart = index
                index += 2
                let low = try readHex4(escapeStart: lowStart)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw loneSurrogate(unit, at: escapeStart, "a high surrogate followed by \\u\(hex4(low)), not a low surrogate")
                }
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            }
            guard !Self.isNoncharacter(unit) else {
                throw fail(
                    .noncharacter, at: escapeStart,
                    "got noncharacter U+\(hex4(unit)) at byte \(escapeStart): I-JSON strings must not hold noncharacters")
            }
            appendUTF8(Unicode.Scalar(unit)!)
        default:
            throw fail(
                .invalidEscape, at: escapeStart,
                "got escape '\\\(describe(at: index - 1))' at byte \(escapeStart): want one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
            )
        }
    }

    private mutating func readHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < count else { throw endOfDocument(want: "four hex digits after \\u") }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw fail(
                    .invalidEscape, at: escapeStart,
                    "got \(describe(at: index)) at byte \(index) in the \\u escape at byte \(escapeStart): want four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func loneSurrogate(_ unit: UInt32, at offset: Int, _ what: String) -> JSONParseError {
        fail(.loneSurrogate, at: offset, "\\u\(hex4(unit)) at byte \(offset) is \(what): want a surrogate pair or a scalar")
    }

    private func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private mutating func appendUTF8(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 {
            scratch.append(UInt8(value))
        } else if value < 0x800 {
            scratch.append(UInt8(0xC0 | value >> 6))
            scratch.append(UInt8(0x80 | value & 0x3F))
        } else if value < 0x10000 {
            scratch.append(UInt8(0xE0 | value >> 12))
            scratch.append(UInt8(0x80 | value >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | value & 0x3F))
        } else {
            scratch.append(UInt8(0xF0 | value >> 18))
            scratch.append(UInt8(0x80 | value >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | value >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | value & 0x3F))
        }
    }

    /// U+FDD0–U+FDEF and the last two code points of every plane.
    static func isNoncharacter(_ value: UInt32) -> Bool {
        (value >= 0xFDD0 && value <= 0xFDEF) || (value & 0xFFFE) == 0xFFFE
    }

    /// Validates the multi-byte UTF-8 sequence at `index` (lead byte ≥ 0x80) and
    /// moves past it. Refuses stray continuation bytes, overlong forms (C0, C1,
    /// E0 80–9F, F0 80–8F), encoded surrogates (ED A0–BF), code points past
    /// U+10FFFF (F4 90+, F5–FF), truncated sequences, and noncharacters.
    private mutating func skipMultiByteScalar() throws(JSONParseError) {
        let start = index
        let lead = bytes[start]
        guard let (length, low, high) = UTF8Lead.bounds(lead) else {
            throw invalidUTF8(at: start, "\(describe(at: start)) cannot start a UTF-8 sequence")
        }
        guard start + length <= count else {
            throw invalidUTF8(at: start, "the document ends inside a \(length)-byte UTF-8 sequence")
        }
        let second = bytes[start + 1]
        guard second >= low && second <= high else {
            throw invalidUTF8(at: start, "\(describe(at: start + 1)) after lead \(describe(at: start)) is overlong, a surrogate, past U+10FFFF or not a continuation byte")
        }
        for offset in 2..<length where bytes[start + offset] & 0xC0 != 0x80 {
            throw invalidUTF8(at: start, "\(describe(at: start + offset)) is not a continuation byte")
        }
        if length >= 3 {
            let last = bytes[start + length - 1]
            let beforeLast = bytes[start + length - 2]
            let isNoncharacter =
                (lead == 0xEF && second == 0xB7 && last >= 0x90 && last <= 0xAF)  // U+FDD0–U+FDEF
                || (beforeLast == 0xBF && last >= 0xBE && (length == 3 ? lead == 0xEF : second & 0x0F == 0x0F))
            if isNoncharacter {
                throw fail(
                    .noncharacter, at: start,
                    "got a noncharacter (U+FDD0–FDEF or U+xxFFFE/F) at byte \(start): I-JSON strings must not hold noncharacters")
            }
        }
        index = start + length
    }

    private func invalidUTF8(at offset: Int, _ detail: String) -> JSONParseError {
        fail(.invalidUTF8, at: offset, "invalid UTF-8 at byte \(offset): \(detail); want UTF-8 text")
    }
}
