public import LedgerJSON

/// One request line: `{"id": <string or integer>, "verb": "<name>", "args": {...}}`.
///
/// `args` is optional on the wire and empty when absent. What the arguments
/// mean is the engine's business; the wire only promises they form an object.
public struct WireRequest: Sendable, Hashable {
    /// The caller's id, echoed in every frame of the response: a string of
    /// 1...`idBytesMax` bytes or an integer.
    public let id: JSONValue
    public let verb: String
    public let args: [String: JSONValue]

    public init(id: JSONValue, verb: String, args: [String: JSONValue] = [:]) {
        self.id = id
        self.verb = verb
        self.args = args
    }

    /// The request as one line, newline included.
    public func encodedLine() -> [UInt8] {
        var object: [String: JSONValue] = ["id": id, "verb": .string(verb)]
        if !args.isEmpty { object["args"] = .object(args) }
        var bytes = wireEncode(.object(object))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}

/// Why a line is not a request, with the id to answer under: the request's
/// own id when it could be read, `null` otherwise.
public struct WireRequestError: Error, Sendable, Hashable {
    public let id: JSONValue
    public let error: WireError

    public init(id: JSONValue, error: WireError) {
        self.id = id
        self.error = error
    }
}

extension WireRequest {
    /// The keys a request object may have. Unknown keys are refused so that a
    /// typo (`"arg"`) is an error rather than silently ignored arguments.
    public static let keys: Set<String> = ["id", "verb", "args"]

    /// Decodes one request line (without its newline).
    ///
    /// Checks, in order: the line's length, UTF-8, depth and syntax
    /// (`malformed-json`, `invalid-utf8`, `too-deep`, `line-too-long`); then
    /// the shape (`bad-request`). It does not check that the verb exists:
    /// that is the server's `VerbCatalog`.
    public static func decode(line: some Collection<UInt8>, limits: WireLimits = WireLimits()) throws(WireRequestError) -> WireRequest {
        let value: JSONValue
        do {
            value = try wireParse(line, limits: limits)
        } catch {
            throw WireRequestError(id: .null, error: WireError(WireErrorCode(parseFailureCode: error.code), error.message))
        }
        guard case .object(let object) = value else {
            throw WireRequestError(
                id: .null, error: WireError(.badRequest, "a request must be a JSON object, got \(value.typeName)"))
        }
        let id = try decodeID(object["id"], limits: limits)
        func refuse(_ message: String) -> WireRequestError {
            WireRequestError(id: id, error: WireError(.badRequest, message))
        }
        if let unknown = object.keys.filter({ !keys.contains($0) }).sorted().first {
            throw refuse("unknown key '\(unknown)' in request; allowed keys are id, verb, args")
        }
        guard let verbValue = object["verb"] else {
            throw refuse("missing 'verb'")
        }
        guard case .string(let verb) = verbValue else {
            throw refuse("'verb' must be a string, got \(verbValue.typeName)")
        }
        guard !verb.isEmpty, verb.utf8.count <= limits.verbBytesMax else {
            throw refuse("'verb' must be 1 to \(limits.verbBytesMax) bytes, got \(verb.utf8.count)")
        }
        var args: [String: JSONValue] = [:]
        if let argsValue = object["args"] {
            guard case .object(let members) = argsValue else {
                throw refuse("'args' must be an object, got \(argsValue.typeName)")
            }
            args = members
        }
        return WireRequest(id: id, verb: verb, args: args)
    }

    private static func decodeID(_ value: JSONValue?, limits: WireLimits) throws(WireRequestError) -> JSONValue {
        guard let value else {
            throw WireRequestError(id: .null, error: WireError(.badRequest, "missing 'id'"))
        }
        switch value {
        case .int:
            return value
        case .string(let text) where !text.isEmpty && text.utf8.count <= limits.idBytesMax:
            return value
        case .string(let text):
            throw WireRequestError(
                id: .null,
                error: WireError(.badRequest, "a string 'id' must be 1 to \(limits.idBytesMax) bytes, got \(text.utf8.count)"))
        default:
            throw WireRequestError(
                id: .null, error: WireError(.badRequest, "'id' must be a string or an integer, got \(value.typeName)"))
        }
    }
}
