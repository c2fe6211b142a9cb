import LedgerJSON
import Testing

/// One refused document: the bytes, the code wanted and, where it matters, the offset.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    let bytes: [UInt8]
    let code: JSONParseError.Code
    let byteOffset: Int?
    let allowFloats: Bool

    init(_ text: String, _ code: JSONParseError.Code, at byteOffset: Int? = nil, allowFloats: Bool = false) {
        self.init(Array(text.utf8), code, at: byteOffset, allowFloats: allowFloats)
    }

    init(_ bytes: [UInt8], _ code: JSONParseError.Code, at byteOffset: Int? = nil, allowFloats: Bool = false) {
        self.bytes = bytes
        self.code = code
        self.byteOffset = byteOffset
        self.allowFloats = allowFloats
    }

    var testDescription: String {
        "\(code.rawValue): \(bytes.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "\\x\(String($0, radix: 16))" }.joined())"
    }
}

@Suite struct JSONParserInvalidTests {
    static let quote = UInt8(ascii: "\"")

    static let cases: [InvalidCase] = [
        // UTF-8
        InvalidCase([quote, 0xC3, 0x28, quote], .invalidUTF8, at: 1),  // bad continuation
        InvalidCase([quote, 0xC0, 0xAF, quote], .invalidUTF8, at: 1),  // overlong "/"
        InvalidCase([quote, 0xC1, 0xBF, quote], .invalidUTF8, at: 1),  // overlong
        InvalidCase([quote, 0xE0, 0x80, 0xAF, quote], .invalidUTF8, at: 1),  // overlong 3-byte
        InvalidCase([quote, 0xF0, 0x80, 0x80, 0xAF, quote], .invalidUTF8, at: 1),  // overlong 4-byte
        InvalidCase([quote, 0xED, 0xA0, 0x80, quote], .invalidUTF8, at: 1),  // encoded surrogate U+D800
        InvalidCase([quote, 0xED, 0xBF, 0xBF, quote], .invalidUTF8, at: 1),  // encoded surrogate U+DFFF
        InvalidCase([quote, 0xF4, 0x90, 0x80, 0x80, quote], .invalidUTF8, at: 1),  // U+110000
        InvalidCase([quote, 0xF5, 0x80, 0x80, 0x80, quote], .invalidUTF8, at: 1),
        InvalidCase([quote, 0xFF, quote], .invalidUTF8, at: 1),
        InvalidCase([quote, 0x61, 0x80, quote], .invalidUTF8, at: 2),  // stray continuation
        InvalidCase([quote, 0xE2, 0x82, quote], .invalidUTF8, at: 1),  // truncated by the quote
        InvalidCase([quote, 0xE2, 0x82], .invalidUTF8, at: 1),  // truncated by the end
        InvalidCase([quote, 0xF0, 0x9F, 0x98, 0x41, quote], .invalidUTF8, at: 1),
        InvalidCase([quote, 0x5C, 0x6E, 0xC3, quote], .invalidUTF8, at: 3),  // in the escaped path
        // Grammar
        InvalidCase("[1,]", .unexpectedCharacter, at: 3),
        InvalidCase("[,1]", .unexpectedCharacter, at: 1),
        InvalidCase("{,}", .unexpectedCharacter, at: 1),
        InvalidCase(#"{"a":1,}"#, .unexpectedCharacter, at: 7),
        InvalidCase(#"{"a" 1}"#, .unexpectedCharacter, at: 5),
        InvalidCase("{a:1}", .unexpectedCharacter, at: 1),
        InvalidCase("{'a':1}", .unexpectedCharacter, at: 1),
        InvalidCase("[1 2]", .unexpectedCharacter, at: 3),
        InvalidCase(#"{"a":1 "b":2}"#, .unexpectedCharacter, at: 7),
        InvalidCase("trux", .unexpectedCharacter, at: 3),
        InvalidCase("True", .unexpectedCharacter, at: 0),
        InvalidCase("nil", .unexpectedCharacter, at: 1),
        InvalidCase("NaN", .unexpectedCharacter, at: 0),
        InvalidCase("-Infinity", .unexpectedCharacter, at: 1),
        InvalidCase("+1", .unexpectedCharacter, at: 0),
        InvalidCase(".5", .unexpectedCharacter, at: 0),
        InvalidCase("-", .unexpectedEnd, at: 1),
        InvalidCase("1.x", .unexpectedCharacter, at: 2),
        InvalidCase("1ex", .unexpectedCharacter, at: 2),
        InvalidCase("/* comment */ 1", .unexpectedCharacter, at: 0),
        InvalidCase([0xEF, 0xBB, 0xBF, 0x31], .unexpectedCharacter, at: 0),  // byte order mark
        InvalidCase("\u{A0}1", .unexpectedCharacter, at: 0),  // no-break space is no JSON whitespace
        InvalidCase("[1,\u{0B}2]", .unexpectedCharacter, at: 3),  // vertical tab
        InvalidCase("[1,\u{0C}2]", .unexpectedCharacter, at: 3),  // form feed
        InvalidCase("é", .unexpectedCharacter, at: 0),
        // Truncation
        InvalidCase("", .unexpectedEnd, at: 0),
        InvalidCase("  \n", .unexpectedEnd, at: 3),
        InvalidCase("[", .unexpectedEnd, at: 1),
        InvalidCase("[1,", .unexpectedEnd, at: 3),
        InvalidCase("{", .unexpectedEnd, at: 1),
        InvalidCase(#"{"a""#, .unexpectedEnd, at: 4),
        InvalidCase(#"{"a":"#, .unexpectedEnd, at: 5),
        InvalidCase(#"{"a":1"#, .unexpectedEnd, at: 6),
        InvalidCase(#""abc"#, .unexpectedEnd, at: 4),
        InvalidCase(#""a\"#, .unexpectedEnd, at: 3),
        InvalidCase(#""\u12"#, .unexpectedEnd, at: 5),
        InvalidCase("tr", .unexpectedEnd, at: 2),
        InvalidCase("1.", .unexpectedEnd, at: 2),
        InvalidCase("1e+", .unexpectedEnd, at: 3),
        // Trailing data
        InvalidCase("1 2", .trailingData, at: 2),
        InvalidCase("{} {}", .trailingData, at: 3),
        InvalidCase("[]]", .trailingData, at: 2),
        InvalidCase(#""a"x"#, .trailingData, at: 3),
        InvalidCase("null\u{0}", .trailingData, at: 4),
        InvalidCase("0x10", .trailingData, at: 1),
        InvalidCase("12a", .trailingData, at: 2),
        // Duplicate keys
        InvalidCase(#"{"a":1,"a":2}"#, .duplicateKey, at: 7),
        InvalidCase(#"{"a":1,"\u0061":2}"#, .duplicateKey, at: 7),
        InvalidCase(#"{"x":{"a":[],"b":0,"a":{}}}"#, .duplicateKey, at: 19),
        InvalidCase("{\"\u{E9}\":1,\"e\u{301}\":2}", .duplicateKey),  // canonically equivalent names
        // Numbers
        InvalidCase("1.5", .numberNotInteger, at: 0),
        InvalidCase("[0, -2.25]", .numberNotInteger, at: 4),
        InvalidCase("1e3", .numberNotInteger, at: 0),
        InvalidCase("1E-3", .numberNotInteger, at: 0),
        InvalidCase("-0.0", .numberNotInteger, at: 0),
        InvalidCase("1.0", .numberNotInteger, at: 0),
        InvalidCase("9007199254740992", .integerOutOfRange, at: 0),
        InvalidCase("-9007199254740992", .integerOutOfRange, at: 0),
        InvalidCase(#"{"n":12345678901234567890123}"#, .integerOutOfRange, at: 5),
        InvalidCase("99999999999999999999999999999999999999999", .integerOutOfRange, at: 0),
        InvalidCase("1e400", .numberOutOfRange, at: 0, allowFloats: true),
        InvalidCase("-1.8e308", .numberOutOfRange, at: 0, allowFloats: true),
        InvalidCase("01", .leadingZero, at: 0),
        InvalidCase("-01", .leadingZero, at: 0),
        InvalidCase("00", .leadingZero, at: 0),
        InvalidCase("[1, 007]", .leadingZero, at: 4),
        InvalidCase("01.5", .leadingZero, at: 0, allowFloats: true),
        // Escapes
        InvalidCase(#""\x""#, .invalidEscape, at: 1),
        InvalidCase(#""ab\'""#, .invalidEscape, at: 3),
        InvalidCase(#""\U0041""#, .invalidEscape, at: 1),
        InvalidCase(#""\u12G4""#, .invalidEscape, at: 1),
        InvalidCase(#""\u 123""#, .invalidEscape, at: 1),
        InvalidCase(#""\ud800""#, .loneSurrogate, at: 1),
        InvalidCase(#""\udc00""#, .loneSurrogate, at: 1),
        InvalidCase(#""a\ud800\u0041""#, .loneSurrogate, at: 2),
        InvalidCase(#""\ud800x""#, .loneSurrogate, at: 1),
        InvalidCase(#""\ud83d\ud83d""#, .loneSurrogate, at: 1),
        InvalidCase(#""\ude00\ud83d""#, .loneSurrogate, at: 1),
        InvalidCase(#""\ud83d\n""#, .loneSurrogate, at: 1),
        // Noncharacters (I-JSON §2.1)
        InvalidCase(#""\ufdd0""#, .noncharacter, at: 1),
        InvalidCase(#""\uFDEF""#, .noncharacter, at: 1),
        InvalidCase(#""\ufffe""#, .noncharacter, at: 1),
        InvalidCase(#""\uffff""#, .noncharacter, at: 1),
        InvalidCase(#""\ud83f\udffe""#, .noncharacter, at: 1),  // U+1FFFE
        InvalidCase(#""\udbff\udfff""#, .noncharacter, at: 1),  // U+10FFFF
        InvalidCase([quote, 0xEF, 0xB7, 0x90, quote], .noncharacter, at: 1),  // U+FDD0
        InvalidCase([quote, 0xEF, 0xBF, 0xBF, quote], .noncharacter, at: 1),  // U+FFFF
        InvalidCase([quote, 0xF0, 0x9F, 0xBF, 0xBE, quote], .noncharacter, at: 1),  // U+1FFFE
        InvalidCase([quote, 0xF4, 0x8F, 0xBF, 0xBF, quote], .noncharacter, at: 1),  // U+10FFFF
        // Control characters
        InvalidCase("\"a\nb\"", .controlCharacter, at: 2),
        InvalidCase("\"\t\"", .controlCharacter, at: 1),
        InvalidCase("\"\u{0}\"", .controlCharacter, at: 1),
        InvalidCase("\"\u{1F}\"", .controlCharacter, at: 1),
        InvalidCase("\"\\n\r\"", .controlCharacter, at: 3),  // in the escaped path
        InvalidCase("{\"k\u{7}\":1}", .controlCharacter, at: 3),
    ]

    @Test(arguments: cases)
    func refuses(invalid: InvalidCase) {
        #expect {
            try JSONParser.parse(invalid.bytes, allowFloats: invalid.allowFloats)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.code == invalid.code && (invalid.byteOffset.map { $0 == error.byteOffset } ?? true)
        }
    }

    /// Each parse-time code (all but `document-too-large` and the limit codes,
    /// which JSONLimitsTests cover) appears in the table above.
    @Test func everyCodeIsExercised() {
        let limitCodes: Set<JSONParseError.Code> = [.tooDeep, .stringTooLong, .arrayTooLong, .objectTooLarge, .documentTooLarge]
        let covered = Set(Self.cases.map(\.code)).union(limitCodes)
        #expect(covered == Set(JSONParseError.Code.allCases))
    }

    @Test func codesAreStable() {
        let expected = [
            "invalid-utf8", "unexpected-character", "unexpected-end", "trailing-data", "duplicate-key",
            "number-not-integer", "integer-out-of-range", "number-out-of-range", "leading-zero", "invalid-escape",
            "lone-surrogate", "noncharacter", "control-character", "too-deep", "string-too-long", "array-too-long",
            "object-too-large", "document-too-large",
        ]
        #expect(JSONParseError.Code.allCases.map(\.rawValue) == expected)
    }

    /// Messages say what was got and what was wanted, and where.
    @Test func messagesNameGotAndWant() throws {
        let float = #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"durationMinutes": 17.5}"#) }
        #expect(float?.message == "floating-point number 17.5 at byte 20: the ledger stores integers only")
        #expect(float?.byteOffset == 20)
        #expect(float?.description.hasPrefix("number-not-integer: ") == true)

        let comma = #expect(throws: JSONParseError.self) { try JSONParser.parse("[1;2]") }
        #expect(comma?.message == "got ';' at byte 2: want ',' or ']' in an array")

        let control = #expect(throws: JSONParseError.self) { try JSONParser.parse("\"a\u{1}\"") }
        #expect(control?.message.contains("byte 0x01") == true)

        let duplicate = #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"id":1,"id":2}"#) }
        #expect(duplicate?.message.contains("\"id\"") == true)
    }
}

/// The string scanner skips 8 plain bytes at a time: every special byte must
/// be seen at every position within and across those words.
@Suite struct JSONStringScannerTests {
    @Test(arguments: 0..<24)
    func specialByteAtEveryPosition(position: Int) throws {
        let prefix = String(repeating: "x", count: position)
        let suffix = String(repeating: "y", count: 19)
        #expect(throws: JSONParseError(
            code: .controlCharacter, byteOffset: 1 + position,
            message: "got unescaped control character byte 0x0A at byte \(1 + position) in a string: want it escaped (\\n, \\t, \\u00XX)"
        )) { try JSONParser.parse("\"\(prefix)\n\(suffix)\"") }
        #expect(try JSONParser.parse("\"\(prefix)\\n\(suffix)\"") == .string(prefix + "\n" + suffix))
        #expect(try JSONParser.parse("\"\(prefix)é\(suffix)\"") == .string(prefix + "é" + suffix))
        #expect(try JSONParser.parse("[\"\(prefix)\",\"\(suffix)\"]") == [.string(prefix), .string(suffix)])
        let invalid = Array("\"\(prefix)".utf8) + [0xFF] + Array("\(suffix)\"".utf8)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(invalid) }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.byteOffset == 1 + position)
        let del = "\"\(prefix)\u{7F}\(suffix)\""
        #expect(try JSONParser.parse(del) == .string(prefix + "\u{7F}" + suffix))
    }
}
