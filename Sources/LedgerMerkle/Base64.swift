/// Standard base64 (RFC 4648 §4) with padding, decoded strictly: the only accepted text for some
/// bytes is the text `encode` produces for them (no whitespace, no missing or extra padding, no
/// non-zero bits after the last byte). Signed data must have exactly one spelling.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out.append(alphabet[Int(chunk >> 18 & 63)])
            out.append(alphabet[Int(chunk >> 12 & 63)])
            out.append(alphabet[Int(chunk >> 6 & 63)])
            out.append(alphabet[Int(chunk & 63)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let chunk = UInt32(input[index]) << 16
            out.append(alphabet[Int(chunk >> 18 & 63)])
            out.append(alphabet[Int(chunk >> 12 & 63)])
            out.append(contentsOf: "==".utf8)
        case 2:
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            out.append(alphabet[Int(chunk >> 18 & 63)])
            out.append(alphabet[Int(chunk >> 12 & 63)])
            out.append(alphabet[Int(chunk >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes canonical padded base64; nil for anything else (including the empty string's
    /// siblings such as "=" — the empty string itself decodes to no bytes).
    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 4 * 3)
        var index = 0
        while index < chars.count {
            let isLast = index + 4 == chars.count
            var values: [UInt32] = []
            var padding = 0
            for offset in 0..<4 {
                let char = chars[index + offset]
                if char == UInt8(ascii: "=") {
                    // Padding only at the end of the last quantum, in positions 2 and 3.
                    guard isLast, offset >= 2 else { return nil }
                    padding += 1
                    continue
                }
                guard padding == 0 else { return nil }  // no data after padding
                let value = reverse[Int(char)]
                guard value != 0xff else { return nil }
                values.append(UInt32(value))
            }
            let chunk = values.enumerated().reduce(UInt32(0)) { $0 | $1.element << (18 - 6 * UInt32($1.offset)) }
            switch padding {
            case 0:
                out.append(UInt8(chunk >> 16 & 0xff))
                out.append(UInt8(chunk >> 8 & 0xff))
                out.append(UInt8(chunk & 0xff))
            case 1:
                guard chunk & 0xff == 0 else { return nil }  // non-canonical trailing bits
                out.append(UInt8(chunk >> 16 & 0xff))
                out.append(UInt8(chunk >> 8 & 0xff))
            default:
                guard chunk & 0xffff == 0 else { return nil }
                out.append(UInt8(chunk >> 16 & 0xff))
            }
            index += 4
        }
        return out
    }
}
