/// A strict, bounded JSON parser: RFC 8259 restricted to I-JSON (RFC 7493).
///
/// What it refuses, each with a stable ``JSONParseError/Code``:
/// - bytes that are not UTF-8 (overlong forms and UTF-8-encoded surrogates
///   included): `invalid-utf8`;
/// - anything RFC 8259's grammar does not allow: comments, trailing commas,
///   single quotes, bare words, a byte order mark, whitespace other than
///   space, tab, CR and LF (`unexpected-character`, `unexpected-end`), more
///   than one top-level value (`trailing-data`);
/// - numbers with leading zeros (`leading-zero`); numbers with a fraction or an
///   exponent (`number-not-integer`) and integers beyond ±(2^53 − 1)
///   (`integer-out-of-range`), unless `allowFloats` is set;
/// - in strings: unescaped control characters (`control-character`), unknown
///   escapes (`invalid-escape`), unpaired `\u` surrogates (`lone-surrogate`),
///   Unicode noncharacters (`noncharacter`);
/// - an object naming a member twice (`duplicate-key`);
/// - a document past any bound of ``JSONLimits`` (`too-deep`, `string-too-long`,
///   `array-too-long`, `object-too-large`, `document-too-large`).
///
/// Errors are reported in document order, except `duplicate-key`, which is
/// found when the object holding the pair closes (each object's dictionary is
/// built once, at its final size).
///
/// It does not normalize text: call ``JSONValue/nfcNormalized()`` on the result
/// where the ledger's NFC rule applies.
///
/// Cost: one pass over the bytes; strings without escapes are copied in one go.
/// Recursion depth is bounded by ``JSONLimits/depthMax``.
public enum JSONParser {
    /// Parses one JSON document from `bytes`.
    ///
    /// - Parameters:
    ///   - bytes: the whole document (leading and trailing JSON whitespace allowed).
    ///     Only read during the call.
    ///   - limits: bounds the document must respect.
    ///   - allowFloats: when `true`, numbers with a fraction or exponent and
    ///     integers beyond ±(2^53 − 1) become ``JSONValue/double(_:)`` instead of
    ///     being refused; a number too large for a double is still refused
    ///     (`number-out-of-range`). The ledger's stored data never uses this.
    /// - Returns: the value; integers within ±(2^53 − 1) are ``JSONValue/int(_:)``.
    /// - Throws: ``JSONParseError`` naming the first problem and its byte offset.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer,
        limits: JSONLimits = .default,
        allowFloats: Bool = false
    ) throws(JSONParseError) -> JSONValue {
        guard bytes.count <= limits.documentBytesMax else {
            throw JSONParseError(
                code: .documentTooLarge, byteOffset: limits.documentBytesMax,
                message: "document of \(bytes.count) bytes: at most \(limits.documentBytesMax) bytes are allowed")
        }
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONParseError(code: .unexpectedEnd, byteOffset: 0, message: "empty document: want a JSON value")
        }
        var reader = JSONReader(
            bytes: base.assumingMemoryBound(to: UInt8.self), count: bytes.count,
            limits: limits, allowFloats: allowFloats)
        return try reader.parseDocument()
    }

    /// Parses one JSON document from a byte array. See ``parse(_:limits:allowFloats:)-(UnsafeRawBufferPointer,_,_)``.
    public static func parse(
        _ bytes: [UInt8], limits: JSONLimits = .default, allowFloats: Bool = false
    ) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) in try parse(buffer, limits: limits, allowFloats: allowFloats) }
        }.get()
    }

    /// Parses one JSON document from the UTF-8 form of `text`.
    public static func parse(
        _ text: String, limits: JSONLimits = .default, allowFloats: Bool = false
    ) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(JSONParseError) in
                try parse(UnsafeRawBufferPointer(buffer), limits: limits, allowFloats: allowFloats)
            }
        }.get()
    }

    /// Parses one JSON document from any collection of bytes (`ArraySlice`,
    /// `Data`, `Substring.UTF8View`, ...); contiguous storage is read in place,
    /// anything else is copied first.
    public static func parse<Bytes: Collection>(
        _ bytes: Bytes, limits: JSONLimits = .default, allowFloats: Bool = false
    ) throws(JSONParseError) -> JSONValue where Bytes.Element == UInt8 {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in
                try parse(UnsafeRawBufferPointer(buffer), limits: limits, allowFloats: allowFloats)
            }
        }
        if let result { return try result.get() }
        return try parse(Array(bytes), limits: limits, allowFloats: allowFloats)
    }
}
