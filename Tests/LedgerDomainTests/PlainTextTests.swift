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

/// Text far over its limit is refused before it is normalized; decomposed
/// text that composes within the limit is still taken.
@Suite struct TextLengthBeforeNormalizingTests {
    @Test func runsOfCombiningMarksOverTheBoundAreRefusedUnnormalized() throws {
        // U+0323 U+0302 alternating: marks that NFC reorders, and nothing to compose onto.
        let marks = String(repeating: "\u{0302}\u{0323}", count: 16_001)  // 64 004 bytes
        #expect(marks.utf8.count > DomainLimits.textLengthMax * Decode.composedBytesPerCharacterMax)
        do throws(DomainError) {
            _ = try Decode.text(.string("a" + marks), path: "data.reason")
            Issue.record("taken")
        } catch {
            #expect(error.code == .textTooLong)
            #expect(error.message.contains("bytes"), "\(error.message)")
        }
    }

    @Test func aRunOfCombiningMarksLongerThanAnyTextIsRefusedUnsorted() throws {
        // 2 000 marks (4 000 bytes, within the length bound): sorting them alone took 0.56 s for 32 000.
        let run = "a" + String(repeating: "\u{0302}\u{0323}", count: 1_000)
        do throws(DomainError) {
            _ = try Decode.text(.string(run), path: "data.reason")
            Issue.record("taken")
        } catch {
            #expect(error.code == .combiningMarksRun)
            #expect(error.message.contains("2000 combining marks in a row"), "\(error.message)")
        }
        // Thirty in a row are taken (and Vietnamese needs two at most).
        let thirty = "a" + String(repeating: "\u{0302}\u{0323}", count: 15)
        #expect(throws: Never.self) { _ = try Decode.text(.string(thirty), path: "data.reason") }
        #expect(try Decode.text(.string("Nguye\u{0302}\u{0303}n Thi\u{0323}"), path: "data.name") == "Nguyễn Thị")
    }

    @Test func decomposedTextThatComposesWithinTheLimitIsTaken() throws {
        // 1 300 × "ệ" as e + U+0323 + U+0302: 3 900 scalars, 1 300 once composed.
        let decomposed = String(repeating: "e\u{0323}\u{0302}", count: 1_300)
        let text = try Decode.text(.string(decomposed), path: "data.reason")
        #expect(text.unicodeScalars.count == 1_300)
        #expect(text == String(repeating: "\u{1EC7}", count: 1_300))
    }
}
