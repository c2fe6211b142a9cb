import Foundation
@testable import LedgerDomain
import Testing

/// The one-pass text check agrees with the general checks (NFC, not blank,
/// no control characters, length in scalars) whenever it answers.
@Suite struct PlainTextTests {
    /// What the general path decides: the scalar count if the text passes as is.
    static func general(_ text: String, lineBreaks: Bool) -> Int? {
        let nfc = DomainText.nfc(text)
        guard nfc == text, nfc.unicodeScalars.elementsEqual(text.unicodeScalars),
              DomainText.hasVisibleCharacter(text),
              DomainText.firstControlCharacter(in: text, allowLineBreaks: lineBreaks) == nil
        else { return nil }
        return text.unicodeScalars.count
    }

    @Test func everyVouchedScalarIsPlain() {
        let ranges: [ClosedRange<UInt32>] = [0x21...0x7E, 0xC0...0x2FF, 0x1E00...0x1EFF]
        for range in ranges {
            for value in range {
                let text = "a" + String(Unicode.Scalar(value)!) + " "
                #expect(DomainText.plainTextLength(text, allowLineBreaks: false) == 3, "U+\(String(value, radix: 16))")
                #expect(Self.general(text, lineBreaks: false) == 3, "U+\(String(value, radix: 16))")
            }
        }
    }

    @Test func randomTextAgreesWithTheGeneralChecks() {
        // Plain letters, Vietnamese, white space, controls, C1, combining marks, NBSP, other scripts.
        let alphabet: [Unicode.Scalar] = ["a", "Z", "5", " ", "\t", "\n", "\r", "\u{0}", "\u{7F}", "\u{85}", "\u{9F}",
                                          "\u{A0}", "\u{A9}", "ễ", "Ư", "đ", "\u{301}", "\u{302}", "\u{1F71}", "\u{3000}",
                                          "\u{2028}", "ℂ", "🙂", "\u{FFFD}"]
        var random = SystemRandomNumberGenerator()
        var fast = 0
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                text.unicodeScalars.append(alphabet.randomElement(using: &random)!)
            }
            for lineBreaks in [false, true] {
                if let length = DomainText.plainTextLength(text, allowLineBreaks: lineBreaks) {
                    fast += 1
                    #expect(Self.general(text, lineBreaks: lineBreaks) == length, "\(Array(text.unicodeScalars))")
                }
            }
        }
        #expect(fast > 1_000, "the one-pass check answers for plain text")
        #expect(DomainText.plainTextLength("Nguyễn Thị Ánh, Chi bộ Thanh tra", allowLineBreaks: false) == 32)
        #expect(DomainText.plainTextLength("   ", allowLineBreaks: false) == nil)
        #expect(DomainText.plainTextLength("a\tb", allowLineBreaks: false) == nil)
        #expect(DomainText.plainTextLength("a\tb", allowLineBreaks: true) == 3)
    }
}
