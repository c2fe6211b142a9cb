import LedgerJSON

/// The one place LedgerWire turns bytes into `JSONValue` and back: LedgerJSON's
/// strict parser (valid UTF-8, no duplicate keys, depth and size limits) and
/// its RFC 8785 encoder (sorted keys, minimal escaping; never a raw newline, so
/// every encoded value fits on one protocol line).
///
/// Floats are accepted here; whether a float is allowed is the engine's rule
/// (CONTRACT.md: event data has none), which can then name the field.
struct WireParseFailure: Error, Sendable {
    let code: String
    let message: String
}

func wireParse(_ bytes: some Collection<UInt8>, limits: WireLimits) throws(WireParseFailure) -> JSONValue {
    guard bytes.count <= limits.lineBytesMax else {
        throw WireParseFailure(
            code: "document-too-large", message: "document is \(bytes.count) bytes; the limit is \(limits.lineBytesMax)")
    }
    let jsonLimits = JSONLimits(
        depthMax: limits.depthMax, stringBytesMax: limits.lineBytesMax,
        arrayCountMax: max(10_000, limits.lineBytesMax / 2), objectMemberCountMax: max(1_000, limits.lineBytesMax / 4),
        documentBytesMax: limits.lineBytesMax)
    do {
        return try JSONParser.parse(bytes, limits: jsonLimits, allowFloats: true)
    } catch {
        // A stray byte outside a string is reported as an unexpected
        // character; name the real problem when the line is not UTF-8 at all.
        if error.code != .invalidUTF8, String(validating: bytes, as: UTF8.self) == nil {
            throw WireParseFailure(code: "invalid-utf8", message: "the line is not valid UTF-8")
        }
        throw WireParseFailure(code: error.code.rawValue, message: error.message)
    }
}

func wireEncode(_ value: JSONValue) -> [UInt8] {
    guard CanonicalJSON.isEncodable(value) else {
        return CanonicalJSON.encode(.object(["error": "unencodable value (NaN, infinity or an integer beyond ±2^53)"]))
    }
    return CanonicalJSON.encode(value)
}
