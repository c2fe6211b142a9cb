/// RFC 8785 JSON Canonicalization Scheme (JCS): the bytes the ledger hashes.
///
/// - No whitespace; object members sorted by the UTF-16 code units of their
///   names (RFC 8785 §3.2.3), arrays in order.
/// - Strings: only `"`, `\` and U+0000–U+001F are escaped, as `\"`, `\\`,
///   `\b \t \n \f \r`, else `\u00xx` in lowercase hex; everything else,
///   `/` and non-ASCII included, is written as UTF-8 (§3.2.2.2). Text is not
///   normalized: call ``JSONValue/nfcNormalized()`` first where NFC applies.
/// - Numbers: ``JSONValue/int(_:)`` as plain decimal digits (the same text
///   ECMAScript gives for an integer below 2^53); ``JSONValue/double(_:)`` in
///   the form of ECMAScript's `Number.prototype.toString` (§3.2.2.3): shortest
///   round-trip digits, `-0` as `0`, exponent form `1e+21` / `1e-7` outside
///   [1e-6, 1e21).
///
/// Preconditions (checked in release builds too; ``isEncodable(_:)`` tests
/// them without trapping): doubles are finite (RFC 8785 has no form for NaN or
/// infinity and says to fail), and integers are within ±(2^53 − 1) (beyond it
/// JCS would round them to a double and two different integers could hash the
/// same). ``JSONParser`` never produces a value that breaks these; code that
/// builds values by hand must keep to them.
public enum CanonicalJSON {
    /// The canonical bytes of `value`. See the type's documentation for the
    /// rules and preconditions.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        encode(value, into: &output)
        return output
    }

    /// Appends the canonical bytes of `value` to `output` (for a reused
    /// buffer: `removeAll(keepingCapacity: true)` between uses).
    public static func encode(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: appendASCII("null", to: &output)
        case .bool(let flag): appendASCII(flag ? "true" : "false", to: &output)
        case .int(let integer): appendInteger(integer, to: &output)
        case .double(let number): appendNumber(number, to: &output)
        case .string(let text): appendString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                encode(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            var first = true
            for position in sortedIndices(members) {
                let (key, member) = members[position]
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                appendString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                encode(member, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Whether ``encode(_:)`` accepts `value`: every double finite, every
    /// integer within ±(2^53 − 1).
    public static func isEncodable(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool, .string: return true
        case .int(let integer): return integer.magnitude <= JSONValue.integerMagnitudeMax.magnitude
        case .double(let number): return number.isFinite
        case .array(let elements): return elements.allSatisfy(isEncodable)
        case .object(let members): return members.values.allSatisfy(isEncodable)
        }
    }

    /// Members in RFC 8785 order: by the UTF-16 code units of their names.
    static func sortedMembers(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        sortedIndices(members).map { members[$0] }
    }

    /// The positions of `members` in RFC 8785 order.
    ///
    /// Sorts plain values, not strings: each name's first 8 UTF-8 bytes, with
    /// the lead bytes EE–F4 remapped so that byte order is UTF-16 order (see
    /// ``utf16Precedes(_:_:)``), packed big-endian into a `UInt64`; only names
    /// sharing those 8 bytes are compared in full.
    static func sortedIndices(_ members: [String: JSONValue]) -> [Dictionary<String, JSONValue>.Index] {
        var entries: [(prefix: UInt64, position: Dictionary<String, JSONValue>.Index)] = []
        entries.reserveCapacity(members.count)
        var position = members.startIndex
        while position != members.endIndex {
            entries.append((sortPrefix(members[position].key), position))
            members.formIndex(after: &position)
        }
        entries.sort { left, right in
            if left.prefix != right.prefix { return left.prefix < right.prefix }
            return utf16Precedes(members[left.position].key, members[right.position].key)
        }
        return entries.map(\.position)
    }

    /// The first 8 UTF-8 bytes (zero-padded) in an order that agrees with UTF-16:
    /// leads F0–F4 (astral, UTF-16 surrogates) move below EE–EF (U+E000–U+FFFF).
    /// Continuation bytes (80–BF) and other leads are unchanged.
    static func sortPrefix(_ key: String) -> UInt64 {
        var prefix: UInt64 = 0
        var taken = 0
        for byte in key.utf8 {
            let mapped: UInt8
            switch byte {
            case 0xEE...0xEF: mapped = byte &+ 5  // F3–F4
            case 0xF0...0xF4: mapped = byte &- 2  // EE–F2
            default: mapped = byte
            }
            prefix = prefix << 8 | UInt64(mapped)
            taken += 1
            if taken == 8 { return prefix }
        }
        return prefix << (8 * UInt64(8 - taken))
    }

    /// Whether `a` sorts before `b` by UTF-16 code units, computed on UTF-8.
    ///
    /// UTF-8 byte order is code point order, which agrees with UTF-16 order
    /// except that scalars past U+FFFF (UTF-16 surrogates D800–DFFF; UTF-8 lead
    /// F0–F4) sort before U+E000–U+FFFF (UTF-8 lead EE–EF) in UTF-16. At the
    /// first differing byte both strings are at the same position in the same
    /// scalar, so only that pair of lead bytes needs the fix-up.
    static func utf16Precedes(_ a: String, _ b: String) -> Bool {
        // withContiguousStorageIfAvailable borrows native and small strings without a copy.
        let result = a.utf8.withContiguousStorageIfAvailable { left in
            b.utf8.withContiguousStorageIfAvailable { right in utf16Precedes(left, right) }
        }
        if let result = result ?? nil { return result }
        return Array(a.utf8).withUnsafeBufferPointer { left in
            Array(b.utf8).withUnsafeBufferPointer { right in utf16Precedes(left, right) }
        }
    }

    static func utf16Precedes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        let shared = min(left.count, right.count)
        var offset = 0
        while offset < shared {
            let x = left[offset]
            let y = right[offset]
            if x != y {
                if x >= 0xF0 && (y == 0xEE || y == 0xEF) { return true }
                if y >= 0xF0 && (x == 0xEE || x == 0xEF) { return false }
                return x < y
            }
            offset += 1
        }
        return left.count < right.count
    }

    static func appendASCII(_ text: StaticString, to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `"`-quoted with RFC 8785's minimal escaping; runs of plain bytes are copied in one go.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &output) }
        if done == nil { Array(text.utf8).withUnsafeBufferPointer { appendEscaped($0, to: &output) } }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var runStart = 0
        for offset in 0..<utf8.count {
            let byte = utf8[offset]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") { continue }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<offset]))
            runStart = offset + 1
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x09: output.append(UInt8(ascii: "t"))
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0C: output.append(UInt8(ascii: "f"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            default:
                let hexDigits: StaticString = "0123456789abcdef"
                output.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                output.append(hexDigits.utf8Start[Int(byte >> 4)])
                output.append(hexDigits.utf8Start[Int(byte & 0x0F)])
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
    }

    /// Plain decimal digits. - Precondition: within ±(2^53 − 1).
    static func appendInteger(_ integer: Int64, to output: inout [UInt8]) {
        precondition(
            integer.magnitude <= JSONValue.integerMagnitudeMax.magnitude,
            "CanonicalJSON: integer \(integer) is beyond ±(2^53 − 1) and has no exact RFC 8785 form")
        if integer < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = integer.magnitude
        var digitCount = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            digitCount += 1
        }
        let start = output.count
        output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digitCount))
        output.withUnsafeMutableBufferPointer { buffer in
            var position = start + digitCount - 1
            while magnitude >= 10 {
                buffer[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                position -= 1
            }
            buffer[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude)
        }
    }
}
