import Foundation

/// Reads the plainest form of JSON straight from its bytes, for the
/// in-place decoders of `data` (`InPlaceEventDecoder`) and of the stored
/// record around it (the engine's replay): no whitespace, members in the
/// order given, strings without escapes, integers as bare digits.
///
/// Every method returns nil (or false) for anything else, and then the
/// caller gives up and the general decoder (`JSONParser`, `FieldReader`)
/// decides. So a cursor never has to explain an error, and it must accept
/// only what the general way accepts, giving the same values.
public struct PlainDataCursor {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var index = 0

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var atEnd: Bool { index == bytes.count }

    /// Consumes `byte` if it is next.
    public mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Consumes `"key":` if it is next. `key` is ASCII without quotes or backslashes.
    public mutating func key(_ key: StaticString) -> Bool {
        let n = key.utf8CodeUnitCount
        guard bytes.count - index >= n + 3, bytes[index] == UInt8(ascii: "\""),
              bytes[index + 1 + n] == UInt8(ascii: "\""), bytes[index + 2 + n] == UInt8(ascii: ":")
        else { return false }
        // Eight bytes at a time, then the rest, inline (a call to memcmp per
        // key, a dozen keys a record, showed in profiles; so did a byte loop).
        guard let base = bytes.baseAddress else { return false }
        let at = UnsafeRawPointer(base + index + 1)
        let expected = UnsafeRawPointer(key.utf8Start)
        var k = 0
        while k &+ 8 <= n {
            guard at.loadUnaligned(fromByteOffset: k, as: UInt64.self) == expected.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            else { return false }
            k &+= 8
        }
        while k < n {
            guard at.load(fromByteOffset: k, as: UInt8.self) == expected.load(fromByteOffset: k, as: UInt8.self) else { return false }
            k &+= 1
        }
        index &+= n &+ 3
        return true
    }

    /// A business date, quoted: `"YYYY-MM-DD"` as `BusinessDate.init?(_:)` reads it.
    public mutating func date() -> BusinessDate? {
        guard bytes.count - index >= 12, bytes[index] == UInt8(ascii: "\""), bytes[index + 11] == UInt8(ascii: "\""),
              let date = BusinessDate(utf8: UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<(index + 11)]))
        else { return nil }
        index += 12
        return date
    }

    /// An id (`DomainText.isId`): 1 to `DomainLimits.idLengthMax` of `A-Z a-z 0-9 . _ -`, quoted.
    public mutating func id() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count, Self.isIdByte(bytes[index]) { index += 1 }
        let length = index - start
        guard length >= 1, length <= DomainLimits.idLengthMax, take(UInt8(ascii: "\"")) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]), as: UTF8.self)
    }

    /// Skips a quoted string of printable ASCII without escapes (`"` and `\`
    /// excluded), at most `lengthMax` bytes; false for anything else.
    public mutating func plainASCII(lengthMax: Int) -> Bool {
        guard take(UInt8(ascii: "\"")) else { return false }
        let start = index
        index = Self.plainASCIIRun(bytes, from: index)
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: "\\") else { return false }
            if byte == UInt8(ascii: "\"") { break }
            index += 1
        }
        guard index - start <= lengthMax else { return false }
        return take(UInt8(ascii: "\""))
    }

    /// Text the general way returns unchanged (`Decode.checkedText`), quoted:
    /// only the bytes `DomainText.plainTextLength` vouches for, checked here
    /// as UTF-8 too (printable ASCII but `"` and `\`, U+00C0–U+02FF,
    /// U+1E00–U+1EFF), at least one of them not a space, at most `lengthMax`
    /// scalars. A line break is escaped in JSON, so never plain.
    public mutating func text(lengthMax: Int) -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        guard let (end, scalars, visible) = plainTextEnd(from: start), visible, scalars <= lengthMax else { return nil }
        index = end + 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// Where the plain text starting at `start` ends (its closing quote), how
    /// many scalars it has and whether one is not a space; nil if a byte is
    /// not of the classes `text` accepts or the quote is missing.
    private func plainTextEnd(from start: Int) -> (end: Int, scalars: Int, visible: Bool)? {
        var i = Self.plainASCIIRun(bytes, from: start)
        var scalars = i - start
        // A run of spaces only is not visible text.
        var visible = false
        if i > start {
            var k = start
            while k < i, bytes[k] == 0x20 { k += 1 }
            visible = k < i
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                return (i, scalars, visible)
            } else if byte >= 0x21 && byte <= 0x7E {
                guard byte != UInt8(ascii: "\\") else { return nil }
                visible = true
                i += 1
            } else if byte == 0x20 {
                i += 1
            } else if byte >= 0xC3 && byte <= 0xCB {
                guard i + 1 < bytes.count, Self.isContinuation(bytes[i + 1]) else { return nil }
                visible = true
                i += 2
            } else if byte == 0xE1 {
                guard i + 2 < bytes.count, bytes[i + 1] >= 0xB8, bytes[i + 1] <= 0xBB,
                      Self.isContinuation(bytes[i + 2])
                else { return nil }
                visible = true
                i += 3
            } else {
                return nil
            }
            scalars += 1
        }
        return nil
    }

    /// A stored record's `warnings` as the ledger writes them, stepped over:
    /// `[` `{"code":"…","message":"…"}` (`,` …)* `]`, the strings of `text`'s
    /// byte classes (so canonical JSON, which the general way reads alike).
    /// The replay does not read warnings; `verify` takes this as canonical.
    /// Each string is at most `stringBytesMax` bytes (the general parser's bound).
    public mutating func plainWarnings(stringBytesMax: Int) -> Bool {
        guard take(UInt8(ascii: "[")) else { return false }
        if take(UInt8(ascii: "]")) { return true }
        var count = 0
        repeat {
            count += 1
            guard count <= DomainLimits.listEntriesMax, take(UInt8(ascii: "{")), key("code"), skipPlainText(stringBytesMax),
                  take(UInt8(ascii: ",")), key("message"), skipPlainText(stringBytesMax), take(UInt8(ascii: "}"))
            else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]"))
    }

    private mutating func skipPlainText(_ bytesMax: Int) -> Bool {
        guard take(UInt8(ascii: "\"")), let (end, _, _) = plainTextEnd(from: index), end - index <= bytesMax else { return false }
        index = end + 1
        return true
    }

    /// Moves past an object (`{` to its matching `}`) without reading it,
    /// for a reader that leaves the object to another thread: true if it is
    /// balanced and has no escape in a string (the plain form); its reader
    /// then checks it whole, and this accepts nothing that reader refuses.
    /// Brackets inside strings do not count; other bytes are not looked at.
    public mutating func skipPlainObject() -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }
        let n = bytes.count
        var i = index
        var depth = 0
        while i < n {
            switch bytes[i] {
            case UInt8(ascii: "\\"):
                return false
            case UInt8(ascii: "\""):
                i += 1
                while i < n, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\") { return false }
                    i += 1
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    index = i + 1
                    return true
                }
            default:
                break
            }
            i += 1
        }
        return false
    }

    /// A non-negative integer in `range`, as canonical JSON writes it (no
    /// sign, no leading zero, no fraction or exponent after it).
    public mutating func int(_ range: ClosedRange<Int64>) -> Int64? {
        let start = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            guard index - start < 18 else { return nil }  // no overflow: below 10^18
            value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        let length = index - start
        guard length >= 1, !(length > 1 && bytes[start] == UInt8(ascii: "0")), range.contains(value) else { return nil }
        // A fraction or exponent would make it another number (or a float).
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") {
            return nil
        }
        return value
    }

    mutating func bool() -> Bool? {
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    /// Reads `[` item (`,` item)* `]` (or `[]`) with `item`, at most
    /// `DomainLimits.listEntriesMax` items; nil if any item is nil.
    mutating func list<T>(_ item: (inout PlainDataCursor) -> T?, reserving capacity: Int = 0) -> [T]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var out: [T] = []
        if capacity > 0 { out.reserveCapacity(capacity) }
        if take(UInt8(ascii: "]")) { return out }
        repeat {
            guard out.count < DomainLimits.listEntriesMax, let value = item(&self) else { return nil }
            out.append(value)
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "]")) else { return nil }
        return out
    }

    /// A list of ids, each once (`Decode.idList`).
    mutating func idList(nonEmpty: Bool) -> [String]? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        // Ids hold no `,` or `]`: count them first, to allocate once.
        var commas = 0
        var j = index + 1
        while j < bytes.count, bytes[j] != UInt8(ascii: "]") {
            if bytes[j] == UInt8(ascii: ",") { commas += 1 }
            j += 1
        }
        let start = index + 1
        guard let ids = list({ $0.id() }, reserving: min(commas + 1, DomainLimits.listEntriesMax)),
              !(nonEmpty && ids.isEmpty)
        else { return nil }
        guard ids.count > 1 else { return ids }
        if ids.count <= 32 {
            // Duplicates among few, found by their bytes where they lie (each
            // id is `"`id`"` followed by `,` or `]`): quicker than comparing
            // the strings.
            let unique = withUnsafeTemporaryAllocation(of: (start: Int, count: Int, print: UInt64).self,
                                                       capacity: ids.count) { spans -> Bool in
                var at = start
                for i in 0..<ids.count {
                    let count = ids[i].utf8.count
                    spans[i] = (at + 1, count, Self.fingerprint(bytes, at + 1, count))
                    at += count + 3
                }
                for i in 1..<ids.count {
                    let a = spans[i]
                    for k in 0..<i where spans[k].print == a.print && spans[k].count == a.count {
                        var same = true
                        for m in 0..<a.count where bytes[spans[k].start + m] != bytes[a.start + m] {
                            same = false
                            break
                        }
                        if same { return false }
                    }
                }
                return true
            }
            guard unique else { return nil }
        } else {
            guard Set(ids).count == ids.count else { return nil }
        }
        return ids
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard bytes.count - index >= n else { return false }
        let literal = UnsafeRawBufferPointer(start: word.utf8Start, count: n)
        for i in 0..<n where bytes[index + i] != literal[i] { return false }
        index += n
        return true
    }

    private static func isIdByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == 0x2E || b == 0x5F || b == 0x2D
    }

    private static func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }

    /// Where the run of bytes from `start` that are printable ASCII but `"`
    /// and `\` (0x20–0x7E) ends, eight at a time: the run's end, or a little
    /// before it (the byte loops after it take the rest).
    static func plainASCIIRun(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        var i = start
        while i &+ 8 <= bytes.count {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // A byte below 0x20, above 0x7E, a quote or a backslash (bit tricks
            // that are exact about whether one exists, not about which).
            let below = (w &- ones &* 0x20) & ~w & highs
            let above = ((w &+ ones &* (127 - 0x7E)) | w) & highs
            if below | above != 0 || hasZeroByte(w ^ (ones &* 0x22)) || hasZeroByte(w ^ (ones &* 0x5C)) { break }
            i &+= 8
        }
        return i
    }

    /// Equal for equal byte runs (their first and last eight bytes and their
    /// length), so that runs are compared byte by byte only when these agree.
    private static func fingerprint(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> UInt64 {
        var first: UInt64 = 0, last: UInt64 = 0
        if count >= 8, let base = bytes.baseAddress {
            first = base.loadUnaligned(fromByteOffset: start, as: UInt64.self)
            last = base.loadUnaligned(fromByteOffset: start &+ count &- 8, as: UInt64.self)
        } else {
            for k in 0..<count { first = first << 8 | UInt64(bytes[start &+ k]) }
        }
        return (first &* 0x9E37_79B9_7F4A_7C15) ^ last ^ UInt64(count)
    }
}
