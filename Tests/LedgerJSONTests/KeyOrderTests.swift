@testable import LedgerJSON
import Testing

/// The fast UTF-8 comparison against the naive reference: comparing the
/// strings' UTF-16 code units (RFC 8785 §3.2.3).
@Suite struct KeyOrderTests {
    static let orderedPairs: [(String, String)] = [
        ("", "a"), ("a", "b"), ("a", "aa"), ("A", "a"), ("\r", "1"), ("1", "\u{80}"), ("\u{80}", "\u{F6}"),
        ("\u{F6}", "\u{20AC}"), ("\u{20AC}", "\u{1F600}"), ("\u{1F600}", "\u{FB33}"),  // RFC 8785's example
        ("\u{D7FF}", "\u{10000}"), ("\u{10000}", "\u{E000}"), ("\u{10FFFD}", "\u{E000}"), ("\u{1F600}", "\u{FFFD}"),
        ("\u{1F600}", "\u{1F601}"), ("x\u{1F600}", "x\u{EFFF}"), ("\u{FFFD}", "\u{FFFD}x"),
    ]

    @Test(arguments: orderedPairs)
    func ordered(first: String, second: String) {
        #expect(first.utf16.lexicographicallyPrecedes(second.utf16))  // the table itself is right
        #expect(CanonicalJSON.utf16Precedes(first, second))
        #expect(!CanonicalJSON.utf16Precedes(second, first))
        #expect(!CanonicalJSON.utf16Precedes(first, first))
    }

    @Test func agreesWithTheReferenceOnGeneratedStrings() {
        var generator = ValueGenerator(random: SplitMix64(state: 16))
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            let a = generator.text(lengthMax: 3)
            let b = generator.random.below(4) == 0 ? a + generator.text(lengthMax: 2) : generator.text(lengthMax: 3)
            let want = a.utf16.lexicographicallyPrecedes(b.utf16)
            if CanonicalJSON.utf16Precedes(a, b) != want { disagreements.append("\(Array(a.unicodeScalars)) vs \(Array(b.unicodeScalars))") }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }
}
