/// Checks, without building a `JSONValue`, that bytes are already the RFC 8785
/// canonical form of a JSON object, and says where its top-level members are.
///
/// Why: verifying an export means hashing each line's canonical bytes. When a
/// line is canonical already (every line `ledgerctl export` writes is), the
/// bytes to hash are the line minus its `leafHash` member, and parsing and
/// re-encoding it (the general path) costs ten times the hashing. The scanner
/// is the fast path; whatever it declines goes the general way, so the answer
/// is the same either way (the tests hold it to that).
///
/// It accepts only what it can prove canonical in one pass and declines
/// (returns nil) the rest, even where RFC 8785 would allow it:
/// - keys must be printable ASCII without escapes (so byte order is UTF-16
///   order), strictly increasing (sorted, no duplicates);
/// - numbers must be integers of at most 15 digits without a sign on zero
///   (the ledger stores no fractions; larger magnitudes go the general way);
/// - strings must be valid UTF-8 with exactly RFC 8785's escapes: `\"`, `\\`,
///   `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00xx` (lowercase) for the other
///   control characters; nothing else escaped;
/// - no noncharacters (as the parser, which refuses them);
/// - within `limits` as the parser counts them (depth, members, elements,
///   document size; a string's raw bytes within `stringBytesMax`), so that a
///   line the parser would refuse is never accepted here;
/// - no whitespace between tokens, nothing after the object.
public enum CanonicalScanner {
    /// One top-level member, as byte offsets into the scanned buffer.
    public struct Member: Equatable, Sendable {
        /// The key's characters (inside the quotes).
        public let key: Range<Int>
        /// The value's bytes.
        public let value: Range<Int>
    }

    /// The top-level members of `bytes` if it is a canonical JSON object the
    /// scanner can vouch for, else nil.
    public static func topLevelMembers(_ bytes: UnsafeRawBufferPointer, limits: JSONLimits = .default) -> [Member]? {
        guard bytes.count <= limits.documentBytesMax else { return nil }
        var members: [Member] = []
        return topLevelMembers(bytes, limits: limits, into: &members) ? members : nil
    }

    /// The same check, reusing `members` (emptied first, its capacity kept) so
    /// that a loop over many lines allocates nothing. Returns whether `bytes`
    /// is a canonical object the scanner vouches for; `members` is meaningful
    /// only when it is.
    public static func topLevelMembers(
        _ bytes: UnsafeRawBufferPointer, limits: JSONLimits = .default, into members: inout [Member]
    ) -> Bool {
        members.removeAll(keepingCapacity: true)
        guard bytes.count <= limits.documentBytesMax else { return false }
        var scanner = Scan(bytes: bytes, limits: limits)
        return scanner.object(depth: 1, members: &members) && scanner.index == bytes.count
    }

    /// Convenience for arrays.
    public static func topLevelMembers(_ bytes: [UInt8], limits: JSONLimits = .default) -> [Member]? {
        bytes.withUnsafeBytes { topLevelMembers($0, limits: limits) }
    }
}

private struct Scan {
    let bytes: UnsafeRawBufferPointer
    let limits: JSONLimits
    var index = 0

    init(bytes: UnsafeRawBufferPointer, limits: JSONLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    @inline(__always)
    private mutating func take(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    mutating func value(depth: Int) -> Bool {
        guard let byte = current else { return false }
        switch byte {
        case UInt8(ascii: "{"):
            var ignored: [CanonicalScanner.Member] = []
            return object(depth: depth + 1, members: &ignored, collect: false)
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return false
        }
    }

    mutating func object(depth: Int, members: inout [CanonicalScanner.Member], collect: Bool = true) -> Bool {
        guard depth <= limits.depthMax, take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        var previousKey: Range<Int>?
        var count = 0
        while true {
            count += 1
            guard count <= limits.objectMemberCountMax, let key = plainKey() else { return false }
            if let previousKey, !isBefore(previousKey, key) { return false }
            previousKey = key
            guard take(UInt8(ascii: ":")) else { return false }
            let start = index
            guard value(depth: depth) else { return false }
            if collect { members.append(.init(key: key, value: start..<index)) }
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "}"))
        }
    }

    mutating func array(depth: Int) -> Bool {
        guard depth <= limits.depthMax, take(UInt8(ascii: "[")) else { return false }
        if take(UInt8(ascii: "]")) { return true }
        var count = 0
        while true {
            count += 1
            guard count <= limits.arrayCountMax, value(depth: depth) else { return false }
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "]"))
        }
    }

    /// A key of printable ASCII without escapes; returns its characters' range.
    @inline(__always)
    mutating func plainKey() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        let base = bytes.baseAddress!
        let end = bytes.count
        var i = index  // kept in a register, written back once
        // Eight bytes at a time while none is special or DEL (0x7F, which a plain key may not hold).
        while i + 8 <= end {
            let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let delete = UInt64(littleEndian: word) ^ 0x7F7F_7F7F_7F7F_7F7F
            let special = Self.specialBytes(word) | (delete &- 0x0101_0101_0101_0101) & ~delete & 0x8080_8080_8080_8080
            if special != 0 {
                i += special.trailingZeroBitCount >> 3
                break
            }
            i += 8
        }
        while i < end {
            let byte = base.load(fromByteOffset: i, as: UInt8.self)
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            i += 1
        }
        index = i
        let key = start..<i
        guard key.count <= limits.stringBytesMax else { return nil }
        return take(UInt8(ascii: "\"")) ? key : nil
    }

    /// Byte order, which for printable ASCII is RFC 8785's UTF-16 order.
    func isBefore(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        // Inline rather than memcmp: keys are short and mostly differ in their first bytes.
        let base = bytes.baseAddress!
        var i = a.lowerBound, j = b.lowerBound
        while i < a.upperBound && j < b.upperBound {
            let x = base.load(fromByteOffset: i, as: UInt8.self), y = base.load(fromByteOffset: j, as: UInt8.self)
            if x != y { return x < y }
            i += 1
            j += 1
        }
        return a.count < b.count
    }

    @inline(__always)
    mutating func string() -> Bool {
        guard take(UInt8(ascii: "\"")) else { return false }
        let base = bytes.baseAddress!
        let end = bytes.count
        // Raw bytes bound the decoded ones from above: declining past the
        // limit leaves the exact count to the parser.
        let count = min(end, index + limits.stringBytesMax + 1)
        var i = index  // kept in a register, written back before leaving or calling out
        while i < count {
            // Eight bytes at a time while all of them are plain printable ASCII,
            // then straight to the first byte that is not.
            while i + 8 <= count {
                let special = Self.specialBytes(base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                if special != 0 {
                    i += special.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < count else { break }
            let byte = base.load(fromByteOffset: i, as: UInt8.self)
            if byte == UInt8(ascii: "\"") {
                index = i + 1
                return true
            }
            // Printable ASCII other than `"` and `\` (the tail under eight bytes).
            if byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            // Two bytes (U+0080–U+07FF) and three from U+1000 to U+CFFF (Vietnamese
            // letters are U+1EA0–U+1EF9) hold no noncharacters: check the form only.
            if byte >= 0xC2 && byte <= 0xDF {
                guard i + 2 <= end, base.load(fromByteOffset: i + 1, as: UInt8.self) & 0xC0 == 0x80 else { return false }
                i += 2
                continue
            }
            if byte >= 0xE1 && byte <= 0xEC {
                guard i + 3 <= end, base.load(fromByteOffset: i + 1, as: UInt8.self) & 0xC0 == 0x80,
                      base.load(fromByteOffset: i + 2, as: UInt8.self) & 0xC0 == 0x80
                else { return false }
                i += 3
                continue
            }
            if byte < 0x20 { return false }  // a raw control character
            index = i
            if byte == UInt8(ascii: "\\") {
                guard escape() else { return false }
            } else {
                guard utf8Sequence() else { return false }
            }
            i = index
        }
        return false
    }

    /// Which of the eight bytes of `loaded` are not plain printable ASCII
    /// inside a string (below 0x20, 0x80 or above, `"` or a backslash), as a
    /// mask (SWAR): the high bit of each such byte, counted from the lowest
    /// address, so `trailingZeroBitCount >> 3` is the offset of the first one.
    /// (Exact up to and including the first: the subtractions only borrow
    /// upwards from a byte that is itself special.)
    @inline(__always)
    static func specialBytes(_ loaded: UInt64) -> UInt64 {
        let word = UInt64(littleEndian: loaded)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let isQuote = (quote &- ones) & ~quote
        let isBackslash = (backslash &- ones) & ~backslash
        return (control | isQuote | isBackslash | word) & highs
    }

    /// RFC 8785 (ECMAScript JSON.stringify) escapes exactly these.
    mutating func escape() -> Bool {
        index += 1
        guard let byte = current else { return false }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
             UInt8(ascii: "r"), UInt8(ascii: "t"):
            return true
        case UInt8(ascii: "u"):
            guard index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "0"), bytes[index + 1] == UInt8(ascii: "0")
            else { return false }
            guard let high = lowerHex(bytes[index + 2]), let low = lowerHex(bytes[index + 3]) else { return false }
            index += 4
            let scalar = high << 4 | low
            // Below 0x20 and without a short form.
            return scalar < 0x20 && ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(scalar)
        default:
            return false
        }
    }

    func lowerHex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// One well-formed UTF-8 sequence of 2–4 bytes (RFC 3629: no overlongs,
    /// no surrogates, nothing above U+10FFFF).
    mutating func utf8Sequence() -> Bool {
        let lead = bytes[index]
        // The common cases first: two bytes (U+0080–U+07FF) and three bytes from
        // U+1000 to U+CFFF (Vietnamese letters are U+1EA0–U+1EF9), which hold no
        // noncharacters, so no scalar need be computed.
        if lead >= 0xC2 && lead <= 0xDF {
            guard index + 2 <= bytes.count, bytes[index + 1] & 0xC0 == 0x80 else { return false }
            index += 2
            return true
        }
        if lead >= 0xE1 && lead <= 0xEC {
            guard index + 3 <= bytes.count, bytes[index + 1] & 0xC0 == 0x80, bytes[index + 2] & 0xC0 == 0x80
            else { return false }
            index += 3
            return true
        }
        guard let (length, low, high) = UTF8Lead.bounds(lead) else { return false }
        guard index + length <= bytes.count else { return false }
        let second = bytes[index + 1]
        guard second >= low && second <= high else { return false }
        for k in 2..<length where bytes[index + k] & 0xC0 != 0x80 { return false }
        var scalar = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for k in 1..<length { scalar = scalar << 6 | UInt32(bytes[index + k] & 0x3F) }
        // Noncharacters, which the parser refuses (I-JSON).
        if (scalar >= 0xFDD0 && scalar <= 0xFDEF) || scalar & 0xFFFE == 0xFFFE { return false }
        index += length
        return true
    }

    /// `-?(0|[1-9][0-9]*)` with at most 15 digits, not `-0`, no fraction or exponent.
    @inline(__always)
    mutating func integer() -> Bool {
        let negative = take(UInt8(ascii: "-"))
        guard let first = current, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { return false }
        index += 1
        var digits = 1
        if first == UInt8(ascii: "0") {
            if negative { return false }
        } else {
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                index += 1
                digits += 1
            }
        }
        guard digits <= 15 else { return false }
        if let next = current, next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E")
            || (next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9"))
        {
            return false
        }
        return true
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let pointer = word.utf8Start
        for k in 0..<count where bytes[index + k] != pointer[k] { return false }
        index += count
        return true
    }
}
