import Foundation
import LedgerJSON

/// Text rules shared by the decoder: NFC, emptiness and control characters.
enum DomainText {
    /// `text` in Unicode Normalization Form C (LedgerJSON's, with its fast
    /// path for Latin and Vietnamese letters).
    static func nfc(_ text: String) -> String {
        text.nfcNormalized
    }

    /// The length of the first run of more than `limit` scalars with a
    /// non-zero canonical combining class (marks NFC reorders), if any.
    static func longestCombiningRun(_ text: String, over limit: Int) -> Int? {
        var run = 0
        var found: Int?
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x300, scalar.properties.canonicalCombiningClass != .notReordered {
                run += 1
                if run > limit { found = run }
            } else {
                if found != nil { return found }
                run = 0
            }
        }
        return found
    }

    /// Whether the text has at least one scalar that is not Unicode White_Space.
    static func hasVisibleCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { !$0.properties.isWhitespace }
    }

    /// The first C0/C1 control character (U+0000–U+001F, U+007F–U+009F), if
    /// any; `allowLineBreaks` permits TAB, LF and CR (free text).
    static func firstControlCharacter(in text: String, allowLineBreaks: Bool) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            let v = scalar.value
            guard v < 0x20 || (0x7F...0x9F).contains(v) else { return false }
            if allowLineBreaks, v == 0x09 || v == 0x0A || v == 0x0D { return false }
            return true
        }
    }

    /// The number of scalars of `text` when one pass over its UTF-8 proves it
    /// NFC, not blank and free of control characters (`allowLineBreaks`
    /// permits TAB, LF, CR); nil when it cannot tell, and the caller checks
    /// the general way. It vouches only for printable ASCII, U+00C0–U+02FF
    /// (Latin letters, below the combining marks) and U+1E00–U+1EFF (the
    /// precomposed Vietnamese letters): none of them is white space, a
    /// control or changed by NFC. Replays decode every text field of every
    /// event again, so this is the common path.
    static func plainTextLength(_ text: String, allowLineBreaks: Bool) -> Int? {
        var copy = text
        return copy.withUTF8 { utf8 -> Int? in
            var i = 0, scalars = 0
            var visible = false
            let n = utf8.count
            while i < n {
                let byte = utf8[i]
                if byte >= 0x21 && byte <= 0x7E {
                    visible = true
                    i += 1
                } else if byte == 0x20 || (allowLineBreaks && (byte == 0x09 || byte == 0x0A || byte == 0x0D)) {
                    i += 1
                } else if byte >= 0xC3 && byte <= 0xCB {
                    visible = true
                    i += 2  // a valid String: one continuation byte follows
                } else if byte == 0xE1, i + 2 < n, utf8[i + 1] >= 0xB8, utf8[i + 1] <= 0xBB {
                    visible = true
                    i += 3
                } else {
                    return nil
                }
                scalars += 1
            }
            return visible ? scalars : nil
        }
    }

    /// Whether `text` is an id: 1...`DomainLimits.idLengthMax` of `A-Z a-z 0-9 . _ -`.
    static func isId(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (1...DomainLimits.idLengthMax).contains(utf8.count) else { return false }
        return utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2E || b == 0x5F || b == 0x2D
        }
    }

    /// A short quoted rendering of a value for error messages.
    static func quote(_ text: String, limit: Int = 40) -> String {
        let scalars = text.unicodeScalars
        if scalars.count <= limit { return "'\(text)'" }
        return "'\(String(String.UnicodeScalarView(scalars.prefix(limit))))…' (\(scalars.count) characters)"
    }
}
