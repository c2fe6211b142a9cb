// Foundation only for Unicode normalization (ICU through CoreFoundation on Linux);
// FoundationEssentials does not offer it. Nothing else in LedgerJSON needs Foundation.
import Foundation

extension String {
    /// This text in Unicode Normalization Form C, as the ledger stores all text
    /// (CONTRACT.md). NFD "Nguyễn" (e + U+0302 + U+0303) becomes NFC "Nguyễn" (U+1EC5).
    ///
    /// Fast path: text whose scalars are all below U+0300 (ASCII, Latin-1 and
    /// the rest up to the first combining mark) is already NFC and is returned
    /// as is, without calling into ICU.
    public var nfcNormalized: String {
        if isTriviallyNFC { return self }
        return precomposedStringWithCanonicalMapping
    }

    /// Whether every scalar is below U+0300: no such scalar decomposes,
    /// composes with a neighbour or has a non-zero combining class.
    /// In UTF-8 those are exactly the strings whose bytes are all below 0xCC
    /// (U+0300 is CC 80; continuation bytes are 80–BF).
    var isTriviallyNFC: Bool {
        let fast = utf8.withContiguousStorageIfAvailable { utf8 in !utf8.contains { $0 >= 0xCC } }
        return fast ?? !utf8.contains { $0 >= 0xCC }
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
