/// RFC 3629's table of well-formed UTF-8, by lead byte: the sequence length
/// and the range the second byte must fall in (which rules out overlong
/// forms, encoded surrogates and code points past U+10FFFF). Shared by the
/// parser and the canonical scanner so the two cannot disagree.
enum UTF8Lead {
    /// (length, lowest and highest second byte) for a multi-byte lead, or nil
    /// for a byte that cannot start a multi-byte sequence (ASCII included).
    static func bounds(_ lead: UInt8) -> (length: Int, low: UInt8, high: UInt8)? {
        switch lead {
        case 0xC2...0xDF: return (2, 0x80, 0xBF)
        case 0xE0: return (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: return (3, 0x80, 0xBF)
        case 0xED: return (3, 0x80, 0x9F)
        case 0xF0: return (4, 0x90, 0xBF)
        case 0xF1...0xF3: return (4, 0x80, 0xBF)
        case 0xF4: return (4, 0x80, 0x8F)
        default: return nil
        }
    }
}
