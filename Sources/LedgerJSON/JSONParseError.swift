/// Why ``JSONParser`` refused a document: a stable code, where, and what was
/// got versus wanted.
///
/// `code.rawValue` is part of the ledger's outside contract (it can reach a
/// client inside `{"error":{"code":...}}`): codes are never renamed or reused.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// Bytes that are not well-formed UTF-8 (bad lead or continuation byte,
        /// overlong form, a UTF-8-encoded surrogate, past U+10FFFF, truncated).
        /// Remedy: send UTF-8.
        case invalidUTF8 = "invalid-utf8"
        /// A byte that cannot start or continue the value here (a stray comma,
        /// a bare word, a non-ASCII byte outside a string, a byte order mark).
        case unexpectedCharacter = "unexpected-character"
        /// The document ended inside a value.
        case unexpectedEnd = "unexpected-end"
        /// Non-whitespace after the top-level value (one document per input).
        case trailingData = "trailing-data"
        /// An object names the same member twice (I-JSON, RFC 7493 §2.3).
        case duplicateKey = "duplicate-key"
        /// A number with a fraction or exponent where only integers are allowed.
        case numberNotInteger = "number-not-integer"
        /// An integer beyond ±(2^53 − 1), which IEEE-754 doubles cannot hold exactly.
        /// Remedy: send it as a string.
        case integerOutOfRange = "integer-out-of-range"
        /// A floating-point number too large for a double (only with `allowFloats`).
        case numberOutOfRange = "number-out-of-range"
        /// A number with a superfluous leading zero such as `007`.
        case leadingZero = "leading-zero"
        /// A backslash escape JSON does not define, or a malformed `\u` escape.
        case invalidEscape = "invalid-escape"
        /// A `\u` escape of a UTF-16 surrogate without its partner.
        case loneSurrogate = "lone-surrogate"
        /// A Unicode noncharacter (U+FDD0–U+FDEF, U+xxFFFE, U+xxFFFF) in a string,
        /// which I-JSON (RFC 7493 §2.1) forbids.
        case noncharacter = "noncharacter"
        /// An unescaped control character (U+0000–U+001F) inside a string. Remedy: escape it.
        case controlCharacter = "control-character"
        /// Arrays and objects nested deeper than ``JSONLimits/depthMax``.
        case tooDeep = "too-deep"
        /// A string longer than ``JSONLimits/stringBytesMax`` UTF-8 bytes.
        case stringTooLong = "string-too-long"
        /// An array with more than ``JSONLimits/arrayCountMax`` elements.
        case arrayTooLong = "array-too-long"
        /// An object with more than ``JSONLimits/objectMemberCountMax`` members.
        case objectTooLarge = "object-too-large"
        /// A document longer than ``JSONLimits/documentBytesMax`` bytes.
        case documentTooLarge = "document-too-large"
    }

    public let code: Code
    /// Offset from the document's first byte of the byte that was refused, or
    /// of the value that broke a limit (`documentBytesMax` itself for `document-too-large`).
    public let byteOffset: Int
    /// For humans: what was got and what was wanted, with the offset.
    public let message: String

    public init(code: Code, byteOffset: Int, message: String) {
        self.code = code
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
