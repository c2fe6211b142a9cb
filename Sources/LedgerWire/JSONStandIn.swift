// Replaced by LedgerJSON's JSONParser/CanonicalJSON at merge.
//
// This file is the only place LedgerWire turns bytes into `JSONValue` and back.
// Everything else calls `wireParse(_:limits:)` and `wireEncode(_:)`, so swapping
// in LedgerJSON's strict parser and RFC 8785 encoder is a change to this file
// alone:
//
//     func wireParse(...) throws(WireParseFailure) -> JSONValue {
//         // JSONLimits from WireLimits: document bytes = lineBytesMax, depth = depthMax.
//         do { return try JSONParser.parse(Array(bytes), limits: ..., allowFloats: true) }
//         catch { throw WireParseFailure(code: error.code.rawValue, message: error.message) }
//     }
//     func wireEncode(_ value: JSONValue) -> [UInt8] { CanonicalJSON.encode(value) }
//
// `WireErrorCode(parseFailureCode:)` maps "invalid-utf8", "too-deep" and
// "document-too-large" to their wire codes and every other parse code to
// `malformed-json`; check that list against JSONParseError's codes at merge.
//
// Known gaps of the stand-in (all closed by the real parser): duplicate keys are
// accepted (last one wins), numbers are classified through NSNumber, and it is
// slow (Foundation bridging is ~60% of a request's CPU in a release profile),
// so measure throughput only after the swap. It also makes LedgerWire link
// Foundation until then.
import Foundation
import LedgerJSON

/// A parse failure in the shape of LedgerJSON's `JSONParseError`: a stable
/// code string ("invalid-utf8", "too-deep", "document-too-large", ...) and a
/// human message. `WireErrorCode(parseFailureCode:)` maps it onto the wire.
struct WireParseFailure: Error, Sendable {
    let code: String
    let message: String
}

/// Parses one JSON document (one request or response line).
///
/// Validates UTF-8 and the nesting depth *before* handing the bytes to
/// Foundation, whose own depth limit and error texts are not ours to promise.
/// Floats are accepted here; whether a float is allowed is the engine's rule
/// (CONTRACT.md: event data has none), which can then name the field.
func wireParse(_ bytes: some Collection<UInt8>, limits: WireLimits) throws(WireParseFailure) -> JSONValue {
    guard bytes.count <= limits.lineBytesMax else {
        throw WireParseFailure(
            code: "document-too-large",
            message: "document is \(bytes.count) bytes; the limit is \(limits.lineBytesMax)")
    }
    guard String(validating: bytes, as: UTF8.self) != nil else {
        throw WireParseFailure(code: "invalid-utf8", message: "the line is not valid UTF-8")
    }
    let depth = standInNestingDepth(bytes)
    guard depth <= limits.depthMax else {
        throw WireParseFailure(
            code: "too-deep", message: "JSON nests \(depth) levels deep; the limit is \(limits.depthMax)")
    }
    let object: Any
    do {
        object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    } catch {
        throw WireParseFailure(code: "syntax", message: "not valid JSON")
    }
    return try standInConvert(object)
}

/// Serializes a value with object keys sorted by UTF-16 code units and minimal
/// string escaping (the RFC 8785 rules that matter for the wire). Never emits a
/// raw newline, so every encoded value fits on one protocol line.
func wireEncode(_ value: JSONValue) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(128)
    standInEncode(value, into: &out)
    return out
}

// MARK: - Stand-in internals

/// The deepest nesting of arrays and objects, ignoring brackets inside strings.
private func standInNestingDepth(_ bytes: some Collection<UInt8>) -> Int {
    var depth = 0
    var deepest = 0
    var inString = false
    var escaped = false
    for byte in bytes {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
            continue
        }
        switch byte {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            depth += 1
            deepest = max(deepest, depth)
        case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
        default: break
        }
    }
    return deepest
}

private func standInConvert(_ object: Any) throws(WireParseFailure) -> JSONValue {
    switch object {
    case is NSNull:
        return .null
    case let string as String:
        return .string(string)
    case let number as NSNumber:
        // Foundation on Linux marks booleans with objCType "c" and doubles
        // with "d"/"f"; `is Bool` is true for the integers 0 and 1 as well.
        let type = String(cString: number.objCType)
        switch type {
        case "c": return .bool(number.boolValue)
        case "d", "f": return .double(number.doubleValue)
        case "Q":
            throw WireParseFailure(code: "number-out-of-range", message: "integer \(number) is out of range")
        default:
            let value = number.int64Value
            guard value.magnitude <= JSONValue.integerMagnitudeMax.magnitude else {
                throw WireParseFailure(
                    code: "number-out-of-range",
                    message: "integer \(value) exceeds ±\(JSONValue.integerMagnitudeMax)")
            }
            return .int(value)
        }
    case let array as [Any]:
        var values: [JSONValue] = []
        values.reserveCapacity(array.count)
        for element in array { values.append(try standInConvert(element)) }
        return .array(values)
    case let dictionary as [String: Any]:
        var values: [String: JSONValue] = [:]
        values.reserveCapacity(dictionary.count)
        for (key, element) in dictionary { values[key] = try standInConvert(element) }
        return .object(values)
    default:
        throw WireParseFailure(code: "syntax", message: "unsupported JSON value \(type(of: object))")
    }
}

private func standInEncode(_ value: JSONValue, into out: inout [UInt8]) {
    switch value {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
    case .int(let number): out.append(contentsOf: String(number).utf8)
    case .double(let number):
        if number.isFinite {
            if number == number.rounded(), number.magnitude < 9.0e15 {
                out.append(contentsOf: String(Int64(number)).utf8)
            } else {
                out.append(contentsOf: "\(number)".utf8)
            }
        } else {
            out.append(contentsOf: "null".utf8)
        }
    case .string(let string): standInEncodeString(string, into: &out)
    case .array(let elements):
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            standInEncode(element, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    case .object(let members):
        out.append(UInt8(ascii: "{"))
        let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
        for (index, key) in keys.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            standInEncodeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            standInEncode(members[key] ?? .null, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

private func standInEncodeString(_ string: String, into out: inout [UInt8]) {
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    out.append(UInt8(ascii: "\""))
    for byte in string.utf8 {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
        case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
        case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x00..<0x20:
            out.append(contentsOf: Array("\\u00".utf8))
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
}
