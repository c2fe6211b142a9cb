import LedgerJSON
import Testing

/// Documents the parser must accept, and the value each gives.
@Suite struct JSONParserValidTests {
    static let valid: [(String, JSONValue)] = [
        ("0", 0), ("-0", 0), ("7", 7), ("-7", -7), ("10", 10), ("1234567890123456", 1_234_567_890_123_456),
        ("9007199254740991", .int(9_007_199_254_740_991)), ("-9007199254740991", .int(-9_007_199_254_740_991)),
        ("true", true), ("false", false), ("null", nil),
        (#""""#, ""), (#""abc""#, "abc"),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
        (#""\u0000\u001F\u007f""#, "\u{00}\u{1F}\u{7F}"),
        (#""\u00e9\u00E9""#, "éé"), (#""\ud83d\ude00""#, "😀"), (#""\uD83D\uDE00x""#, "😀x"),
        (#""\ud7ff\ue000\ufffd\ufdcf\ufdf0""#, "\u{D7FF}\u{E000}\u{FFFD}\u{FDCF}\u{FDF0}"),
        ("\"\u{7F}\"", "\u{7F}"), ("\"Nguy\u{1EC5}n 😀 \u{10FFFD}\"", "Nguy\u{1EC5}n 😀 \u{10FFFD}"),
        ("\"a\\nb é\\u0041\"", "a\nb éA"),
        ("[]", []), ("{}", [:]), ("[[]]", [[]]), ("[1,\"a\",null,true,false,{}]", [1, "a", nil, true, false, [:]]),
        (" \t\r\n[ 1 , 2 ]\n ", [1, 2]), ("{ \"a\" : { \"b\" : [ ] } }", ["a": ["b": []]]),
        (#"{"a":1,"b":2,"A":3,"":4}"#, ["a": 1, "b": 2, "A": 3, "": 4]),
        (#"{"a":{"a":1}}"#, ["a": ["a": 1]]),  // the same name at another level is no duplicate
        (#"{"\u00e9":1}"#, ["é": 1]), ("1 ", 1), ("\"x\"\r\n", "x"),
    ]

    @Test(arguments: valid)
    func parses(input: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(input) == expected)
        #expect(try JSONParser.parse(Array(input.utf8)) == expected)
        #expect(try JSONParser.parse(Array(input.utf8)[...]) == expected)  // the generic Collection overload
    }

    /// Values equal as Swift strings can differ in bytes (canonical equivalence):
    /// the parser must keep the exact scalars it was given.
    @Test func keepsScalarsExactly() throws {
        let parsed = try JSONParser.parse("[\"e\u{301}\", \"\\u0065\\u0301\"]")
        for element in parsed.arrayValue ?? [] {
            #expect(Array(element.stringValue!.unicodeScalars) == ["e", "\u{301}"])
        }
    }

    static let floats: [(String, JSONValue)] = [
        ("1.5", .double(1.5)), ("-0.0", .double(-0.0)), ("1E2", .double(100)), ("1e-2", .double(0.01)),
        ("2E+3", .double(2000)), ("0.1", .double(0.1)), ("9007199254740992", .double(9_007_199_254_740_992)),
        ("-9007199254740993", .double(-9_007_199_254_740_992)), ("12345678901234567890123", .double(1.2345678901234568e22)),
        ("[1, 1.0]", [1, .double(1)]), ("333333333.33333329", .double(333_333_333.333_333_3)),
        ("1e-400", .double(0)), ("0.000000000000000000000000001", .double(1e-27)),
    ]

    @Test(arguments: floats)
    func parsesFloatsWhenAllowed(input: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(input, allowFloats: true) == expected)
    }

    @Test func minusZeroDoubleKeepsItsSign() throws {
        let value = try JSONParser.parse("-0.0", allowFloats: true)
        #expect(value.doubleSign == .minus)
    }

    @Test func rawBufferOverload() throws {
        let bytes: [UInt8] = Array(#"{"k":[1,2]}"#.utf8)
        let value = try bytes.withUnsafeBytes { buffer in try JSONParser.parse(buffer) }
        #expect(value == ["k": [1, 2]])
    }
}

extension JSONValue {
    fileprivate var doubleSign: FloatingPointSign? {
        if case .double(let number) = self { return number.sign }
        return nil
    }
}
