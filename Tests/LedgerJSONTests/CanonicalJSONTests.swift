import LedgerJSON
import Testing

/// Hand-written tables for the encoder's rules (RFC 8785 §3.2).
@Suite struct CanonicalJSONTests {
    @Test(arguments: [
        ("", #""""#),
        ("plain", #""plain""#),
        ("a\"b", #""a\"b""#),
        ("a\\b", #""a\\b""#),
        ("/", #""/""#),
        ("\u{08}\u{09}\u{0A}\u{0C}\u{0D}", #""\b\t\n\f\r""#),
        ("\u{00}\u{01}\u{0B}\u{0E}\u{1F}", #""\u0000\u0001\u000b\u000e\u001f""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("é€😀\u{2028}", "\"é€😀\u{2028}\""),
        ("Nguy\u{1EC5}n", "\"Nguy\u{1EC5}n\""),
    ])
    func stringEscaping(input: String, expected: String) {
        #expect(CanonicalJSON.encode(.string(input)).text == expected)
    }

    @Test(arguments: [
        (Int64(0), "0"), (1, "1"), (-1, "-1"), (10, "10"), (1234567890, "1234567890"),
        (9_007_199_254_740_991, "9007199254740991"), (-9_007_199_254_740_991, "-9007199254740991"),
    ])
    func integers(value: Int64, expected: String) {
        #expect(CanonicalJSON.encode(.int(value)).text == expected)
    }

    @Test(arguments: [
        (0.1, "0.1"), (-1.5, "-1.5"), (100.0, "100"), (1e20, "100000000000000000000"), (1e21, "1e+21"),
        (1e-6, "0.000001"), (1e-7, "1e-7"), (123e-20, "1.23e-18"), (-0.0, "0"), (4.5, "4.5"), (2e-3, "0.002"),
        (1e30, "1e+30"), (1.5e300, "1.5e+300"), (0.000123, "0.000123"), (9007199254740993.0, "9007199254740992"),
    ])
    func doubles(value: Double, expected: String) {
        #expect(CanonicalJSON.encode(.double(value)).text == expected)
    }

    /// Members sort by UTF-16 code units: an astral scalar (surrogates D800–DFFF)
    /// sorts before U+E000–U+FFFF, unlike code point or UTF-8 order.
    @Test func keyOrderIsUTF16() {
        let keys = ["\u{FB33}", "\u{1F600}", "\u{20AC}", "b", "a", "aa", "", "\u{E000}", "\u{FFFD}", "\u{10000}", "\u{00F6}", "\r", "1", "A"]
        let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.int(1)) }))
        let encoded = CanonicalJSON.encode(object).text
        let expectedOrder = keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
        let expected = "{" + expectedOrder.map { "\"\(escape($0))\":1" }.joined(separator: ",") + "}"
        #expect(encoded == expected)
        #expect(expectedOrder.firstIndex(of: "\u{1F600}")! < expectedOrder.firstIndex(of: "\u{E000}")!)
        #expect(expectedOrder.firstIndex(of: "\u{10000}")! < expectedOrder.firstIndex(of: "\u{FB33}")!)
    }

    private func escape(_ key: String) -> String { key == "\r" ? "\\r" : key }

    @Test func nestedStructure() {
        let value: JSONValue = ["b": [1, "x", nil, true, ["z": false, "y": []]], "a": [:]]
        #expect(CanonicalJSON.encode(value).text == #"{"a":{},"b":[1,"x",null,true,{"y":[],"z":false}]}"#)
    }

    @Test func encodeIntoAppends() {
        var buffer: [UInt8] = Array("prefix:".utf8)
        CanonicalJSON.encode(["k": 1], into: &buffer)
        #expect(buffer.text == #"prefix:{"k":1}"#)
        buffer.removeAll(keepingCapacity: true)
        CanonicalJSON.encode([1, 2], into: &buffer)
        #expect(buffer.text == "[1,2]")
    }

    @Test(arguments: [
        (JSONValue.double(.nan), false), (.double(.infinity), false), (.array([.double(-.infinity)]), false),
        (.int(JSONValue.integerMagnitudeMax + 1), false), (.object(["a": .int(Int64.min)]), false),
        (.int(JSONValue.integerMagnitudeMax), true), (.int(-JSONValue.integerMagnitudeMax), true),
        (.double(1e308), true), (["a": [1, "x", nil]] as JSONValue, true),
    ])
    func encodability(value: JSONValue, encodable: Bool) {
        #expect(CanonicalJSON.isEncodable(value) == encodable)
    }

    @Test func canonicalString() {
        #expect((["b": 1, "a": "é"] as JSONValue).canonicalString == #"{"a":"é","b":1}"#)
    }
}

/// The documented preconditions trap (in a child process).
@Suite struct CanonicalJSONPreconditionTests {
    @Test func nanTraps() async {
        await #expect(processExitsWith: .failure) { _ = CanonicalJSON.encode(.double(.nan)) }
    }

    @Test func unsafeIntegerTraps() async {
        await #expect(processExitsWith: .failure) { _ = CanonicalJSON.encode(.int(1 << 53)) }
    }
}

/// The member-by-member writer gives exactly `CanonicalJSON.encode`'s bytes.
@Suite struct CanonicalObjectWriterTests {
    @Test func writesWhatTheEncoderWrites() {
        let nested: JSONValue = ["z": [1, "two", nil], "a": ["b": true, "a": .double(-0.5)]]
        for text in ["", "Nguyễn Văn A", "quote \" back \\ tab \t nul \u{0}", "/ 🙂 \u{1F}"] {
            var w = CanonicalObjectWriter(capacity: 16)
            w.integer("count", -42)
            w.canonical("nested", CanonicalJSON.encode(nested))
            w.string("text", text)
            w.value("value", nested)
            let expected: JSONValue = ["count": -42, "nested": nested, "text": .string(text), "value": nested]
            #expect(w.finish() == CanonicalJSON.encode(expected), "text \(text)")
        }
        var empty = CanonicalObjectWriter(capacity: 2)
        #expect(empty.finish() == Array("{}".utf8))
    }

    @Test func namesOutOfOrderTrap() async {
        await #expect(processExitsWith: .failure) {
            var w = CanonicalObjectWriter(capacity: 16)
            w.integer("seq", 1)
            w.integer("schemaVersion", 1)  // "sc" sorts before "se"
        }
        await #expect(processExitsWith: .failure) {
            var w = CanonicalObjectWriter(capacity: 16)
            w.integer("id", 1)
            w.integer("id", 2)
        }
    }
}
