import LedgerJSON
import Testing

/// The ledger stores text in NFC: NFC and NFD input must hash the same.
@Suite struct NFCTests {
    /// (NFC, NFD) spellings of the same Vietnamese text, written as scalars so
    /// no editor can normalize them away.
    static let pairs: [(nfc: String, nfd: String)] = [
        ("Chi b\u{1ED9} Ph\u{01B0}\u{1EDD}ng B\u{1EBF}n Ngh\u{00E9}",
         "Chi bo\u{0323}\u{0302} Phu\u{031B}o\u{031B}\u{0300}ng Be\u{0302}\u{0301}n Nghe\u{0301}"),
        ("Nguy\u{1EC5}n Th\u{1ECB} H\u{1ED3}ng", "Nguye\u{0302}\u{0303}n Thi\u{0323} Ho\u{0302}\u{0300}ng"),
        ("\u{0110}\u{1EA3}ng b\u{1ED9} Kh\u{1ED1}i", "\u{0110}a\u{0309}ng bo\u{0323}\u{0302} Kho\u{0302}\u{0301}i"),
        ("ki\u{1EC3}m tra khi c\u{00F3} d\u{1EA5}u hi\u{1EC7}u vi ph\u{1EA1}m",
         "kie\u{0302}\u{0309}m tra khi co\u{0301} da\u{0302}\u{0301}u hie\u{0323}\u{0302}u vi pha\u{0323}m"),
    ]

    @Test(arguments: pairs)
    func stringsNormalize(nfc: String, nfd: String) {
        #expect(Array(nfc.utf8) != Array(nfd.utf8))  // the test data really differ
        #expect(Array(nfd.nfcNormalized.utf8) == Array(nfc.utf8))
        #expect(Array(nfc.nfcNormalized.utf8) == Array(nfc.utf8))
    }

    @Test(arguments: pairs)
    func canonicalBytesMatchAfterNormalization(nfc: String, nfd: String) throws {
        let build = { (text: String) -> JSONValue in
            ["type": "MemberRegistered", "data": ["name": .string(text), "cell": "CB-01", "tags": [.string(text)]],
             .init(stringLiteral: text): 1]
        }
        #expect(CanonicalJSON.encode(build(nfc)) != CanonicalJSON.encode(build(nfd)))
        #expect(CanonicalJSON.encode(build(nfd).nfcNormalized()) == CanonicalJSON.encode(build(nfc)))
        #expect(CanonicalJSON.encode(build(nfc).nfcNormalized()) == CanonicalJSON.encode(build(nfc)))
        // Through the parser from NFD bytes on the wire, both raw and \u-escaped.
        let wire = try JSONParser.parse("{\"name\":\"\(nfd)\"}")
        #expect(CanonicalJSON.encode(wire.nfcNormalized()).text == "{\"name\":\"\(nfc)\"}")
        let escaped = nfd.unicodeScalars.map { $0.isASCII ? String($0) : "\\u" + hex4($0.value) }.joined()
        let wireEscaped = try JSONParser.parse("[\"\(escaped)\"]")
        #expect(CanonicalJSON.encode(wireEscaped.nfcNormalized()).text == "[\"\(nfc)\"]")
    }

    private func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    @Test(arguments: [
        "", "plain ASCII", "Latin-1 é ü ß", "\u{2FF}", "Hangul \u{1100}\u{1161}", "A\u{30A}", "\u{212B}", "e\u{301}\u{323}",
    ])
    func matchesFoundationNormalization(text: String) {
        // Independent of the fast path: each result is NFC by Swift's own scalar comparison.
        let normalized = text.nfcNormalized
        #expect(normalized == text)  // canonically equivalent
        #expect(normalized.nfcNormalized.unicodeScalars.elementsEqual(normalized.unicodeScalars))  // idempotent
    }

    @Test func composesAndReorders() {
        #expect(Array("A\u{30A}".nfcNormalized.unicodeScalars) == ["\u{C5}"])
        #expect(Array("\u{212B}".nfcNormalized.unicodeScalars) == ["\u{C5}"])  // singleton Angstrom sign
        #expect(Array("\u{1100}\u{1161}".nfcNormalized.unicodeScalars) == ["\u{AC00}"])  // Hangul
        #expect(Array("e\u{301}\u{323}".nfcNormalized.unicodeScalars) == ["\u{1EB9}", "\u{301}"])  // reordered
    }

    @Test func numbersAndLiteralsUnchanged() {
        let value: JSONValue = [1, true, nil, .double(1.5), [:], []]
        #expect(value.nfcNormalized() == value)
    }
}

/// The fast path's claim, checked against Foundation's normalizer: every
/// scalar it lets through is NFC on its own and next to any other such scalar.
@Suite struct NFCFastPathTests {
    static let scalars: [Unicode.Scalar] = (Array(0..<0x300) + Array(0x1E00...0x1EFF)).compactMap(Unicode.Scalar.init)

    @Test func everyFastPathScalarIsNFCAlone() {
        for scalar in Self.scalars {
            let text = String(scalar)
            #expect(text.isTriviallyNFC, "U+\(String(scalar.value, radix: 16))")
            #expect(Array(text.precomposedStringWithCanonicalMapping.unicodeScalars) == [scalar],
                    "U+\(String(scalar.value, radix: 16)) changes under NFC")
        }
    }

    @Test func fastPathScalarsDoNotComposeWithEachOther() {
        var random = SplitMix64(state: 9)
        for _ in 0..<20 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<2000 { scalars.append(Self.scalars[random.below(Self.scalars.count)]) }
            let text = String(scalars)
            #expect(text.isTriviallyNFC)
            #expect(Array(text.precomposedStringWithCanonicalMapping.unicodeScalars) == Array(text.unicodeScalars))
        }
    }

    @Test func combiningMarksAndOtherScriptsTakeTheSlowPath() {
        #expect(!"e\u{0302}\u{0303}".isTriviallyNFC)
        #expect("e\u{0302}\u{0303}".nfcNormalized == "\u{1EC5}")
        #expect(!"\u{1F71}".isTriviallyNFC)  // Greek, outside the fast ranges
        #expect("Nguyễn Thị Ánh".isTriviallyNFC)
    }
}
