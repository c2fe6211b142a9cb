// Foundation only for Unicode normalization (ICU through CoreFoundation on Linux);
// FoundationEssentials does not offer it. Nothing else in LedgerJSON needs Foundation.
import Foundation

extension String {
    /// This text in Unicode Normalization Form C, as the ledger stores all text
    /// (CONTRACT.md). NFD "Nguyễn" (e + U+0302 + U+0303) becomes NFC "Nguyễn" (U+1EC5).
    ///
    /// Fast path: text whose scalars are all below U+0300 (ASCII, Latin-1 and
    /// the rest up to the first combining mark) or in Latin Extended
    /// Additional (U+1E00–U+1EFF, where Vietnamese's precomposed letters such
    /// as "ễ" live) is already NFC and is returned as is, without ICU.
    public var nfcNormalized: String {
        if isTriviallyNFC { return self }
        return precomposedStringWithCanonicalMapping
    }

    /// Whether every scalar is below U+0300 or in U+1E00–U+1EFF. Such scalars
    /// are starters (combining class 0) with NFC_Quick_Check=Yes, so no
    /// sequence of them changes under NFC (the tests check every one of them
    /// against Foundation). In UTF-8, bytes below 0xCC never start a scalar at
    /// or above U+0300 (U+0300 is CC 80; continuation bytes are 80–BF), and
    /// U+1E00–U+1EFF is E1 B8 80 – E1 BB BF.
    public var isTriviallyNFC: Bool {
        var copy = self
        return copy.withUTF8 { utf8 in
            var i = 0
            let n = utf8.count
            while i < n {
                let byte = utf8[i]
                if byte < 0xCC {
                    i += 1
                } else if byte == 0xE1, i + 2 < n, utf8[i + 1] >= 0xB8, utf8[i + 1] <= 0xBB {
                    i += 3
                } else {
                    return false
                }
            }
            return true
        }
    }
}

extension JSONValue {
    /// This value with every string and every object member name in NFC.
    ///
    /// Refuses nothing and drops nothing: Swift compares and hashes `String`
    /// by canonical equivalence, so two member names that become equal under
    /// NFC are already the same key of a `[String: JSONValue]` (the parser
    /// reports such a pair as `duplicate-key`). Numbers, booleans and null are
    /// returned unchanged.
    ///
    /// Cost: one walk of the value; ASCII-only text is not copied.
    public func nfcNormalized() -> JSONValue {
        switch self {
        case .null, .bool, .int, .double: return self
        case .string(let text): return .string(text.nfcNormalized)
        case .array(let elements): return .array(elements.map { $0.nfcNormalized() })
        case .object(let members):
            var normalized: [String: JSONValue] = [:]
            normalized.reserveCapacity(members.count)
            for (key, member) in members {
                let previous = normalized.updateValue(member.nfcNormalized(), forKey: key.nfcNormalized)
                assert(previous == nil, "canonically equivalent keys cannot coexist in a Swift dictionary")
            }
            return .object(normalized)
        }
    }
}
