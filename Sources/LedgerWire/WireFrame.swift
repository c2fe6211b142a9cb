public import LedgerJSON

/// One response line. A request gets zero or more `item`/`progress` frames and
/// then exactly one final frame, `result` or `error`, all carrying its id.
///
///     {"id":1,"ok":true,"result":{...}}
///     {"id":1,"ok":false,"error":{"code":"not-found","message":"...","details":{...}}}
///     {"id":1,"item":{...}}
///     {"id":1,"progress":{"done":10,"total":100}}
public enum WireFrame: Sendable, Hashable {
    case result(id: JSONValue, JSONValue)
    case item(id: JSONValue, JSONValue)
    /// An item given as its canonical JSON bytes (an export line as stored),
    /// sent as is: streaming the log does not parse and re-encode each line.
    /// Decoding never gives this case (the line reads back as `.item`).
    case canonicalItem(id: JSONValue, bytes: [UInt8])
    /// `total` is absent when unknown (a stream that has no end yet).
    case progress(id: JSONValue, done: Int64, total: Int64?)
    case error(id: JSONValue, WireError)

    public var id: JSONValue {
        switch self {
        case .result(let id, _), .item(let id, _), .canonicalItem(let id, _), .progress(let id, _, _), .error(let id, _):
            return id
        }
    }

    /// Whether this frame ends its request's response.
    public var isFinal: Bool {
        switch self {
        case .result, .error: return true
        case .item, .canonicalItem, .progress: return false
        }
    }

    public var jsonValue: JSONValue {
        switch self {
        case .result(let id, let value):
            return ["id": id, "ok": true, "result": value]
        case .item(let id, let value):
            return ["id": id, "item": value]
        case .canonicalItem(let id, let bytes):
            return ["id": id, "item": (try? JSONParser.parse(bytes, allowFloats: true)) ?? .null]
        case .progress(let id, let done, let total):
            var progress: [String: JSONValue] = ["done": .int(done)]
            if let total { progress["total"] = .int(total) }
            return ["id": id, "progress": .object(progress)]
        case .error(let id, let error):
            return ["id": id, "ok": false, "error": error.jsonValue]
        }
    }

    /// The frame as one line, newline included.
    public func encodedLine() -> [UInt8] {
        if case .canonicalItem(let id, let item) = self {
            // {"id":…,"item":…}: "id" sorts before "item", so this is canonical too.
            var bytes = Array(#"{"id":"#.utf8) + wireEncode(id) + Array(#","item":"#.utf8)
            bytes.reserveCapacity(bytes.count + item.count + 2)
            bytes.append(contentsOf: item)
            bytes.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
            return bytes
        }
        var bytes = wireEncode(jsonValue)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Decodes one response line (without its newline). Errors are
    /// `malformed-json` (or the parse failure's own code) for bytes that are
    /// not a frame; a client treats them as a protocol error.
    public static func decode(line: some Collection<UInt8>, limits: WireLimits = .responses) throws(WireError) -> WireFrame {
        let value: JSONValue
        do {
            value = try wireParse(line, limits: limits)
        } catch {
            throw WireError(WireErrorCode(parseFailureCode: error.code), error.message)
        }
        return try decode(value)
    }

    /// Decodes an already parsed response object.
    public static func decode(_ value: JSONValue) throws(WireError) -> WireFrame {
        guard case .object(let object) = value else {
            throw WireError(.malformedJSON, "a response must be an object, got \(value.typeName)")
        }
        guard let id = object["id"] else {
            throw WireError(.malformedJSON, "response has no 'id'")
        }
        if let item = object["item"] {
            return .item(id: id, item)
        }
        if let progress = object["progress"] {
            guard let done = progress["done"]?.intValue else {
                throw WireError(.malformedJSON, "progress.done must be an integer")
            }
            let total = progress["total"]?.intValue
            return .progress(id: id, done: done, total: total)
        }
        switch object["ok"] {
        case .bool(true):
            guard let result = object["result"] else {
                throw WireError(.malformedJSON, "a response with ok=true has no 'result'")
            }
            return .result(id: id, result)
        case .bool(false):
            guard let error = object["error"] else {
                throw WireError(.malformedJSON, "a response with ok=false has no 'error'")
            }
            return .error(id: id, try WireError(jsonValue: error))
        default:
            throw WireError(.malformedJSON, "response has none of 'ok', 'item', 'progress'")
        }
    }
}
