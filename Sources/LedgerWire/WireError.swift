public import LedgerJSON

/// An error as the protocol carries it: a stable code for programs, a message
/// for people (saying what was got and what was wanted), and optional details
/// (e.g. the domain rule that refused an event).
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: WireErrorCode
    public let message: String
    public let details: JSONValue?

    public init(_ code: WireErrorCode, _ message: String, details: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The `error` object of a response frame.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["code": .string(code.rawValue), "message": .string(message)]
        if let details { object["details"] = details }
        return .object(object)
    }

    /// Reads the `error` object of a response frame.
    ///
    /// An unknown code (a newer server) becomes `internal` with the original
    /// code kept in the message, so an old client still shows something useful.
    public init(jsonValue: JSONValue) throws(WireError) {
        guard case .object(let object) = jsonValue else {
            throw WireError(.malformedJSON, "error must be an object, got \(jsonValue.typeName)")
        }
        guard let codeText = object["code"]?.stringValue else {
            throw WireError(.malformedJSON, "error.code must be a string")
        }
        guard let message = object["message"]?.stringValue else {
            throw WireError(.malformedJSON, "error.message must be a string")
        }
        if let code = WireErrorCode(rawValue: codeText) {
            self.init(code, message, details: object["details"])
        } else {
            self.init(.internal, "\(codeText): \(message)", details: object["details"])
        }
    }
}
