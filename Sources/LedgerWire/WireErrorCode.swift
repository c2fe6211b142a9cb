/// The stable error codes of the protocol. Scripts match on these strings:
/// never rename or reuse one; add new codes at the end.
public enum WireErrorCode: String, Sendable, Hashable, CaseIterable {
    /// The line is not JSON.
    case malformedJSON = "malformed-json"
    /// The line is not valid UTF-8.
    case invalidUTF8 = "invalid-utf8"
    /// The line is longer than the server's limit; it was skipped up to the next newline.
    case lineTooLong = "line-too-long"
    /// The JSON nests deeper than the server's limit.
    case tooDeep = "too-deep"
    /// Valid JSON but not a request: not an object, missing or invalid `id` or
    /// `verb`, `args` not an object, or an unknown top-level key.
    case badRequest = "bad-request"
    /// The verb is not one the server knows.
    case unknownVerb = "unknown-verb"
    /// The verb's arguments are missing, of the wrong type or out of range.
    case badArguments = "bad-arguments"
    /// The caller's role does not allow the verb (or the caller has no role).
    case permissionDenied = "permission-denied"
    /// The server is at its connection limit; sent once, then the connection closes.
    case tooManyConnections = "too-many-connections"
    /// The server (or one queue in it) is at its request limit; retry later.
    case tooManyRequests = "too-many-requests"
    /// The server is stopping and takes no new requests.
    case shuttingDown = "shutting-down"
    /// A domain rule refused the event; `details.rule` names the rule.
    case refused = "refused"
    /// `expectedVersion` did not match the stream's version.
    case conflict = "conflict"
    /// The idempotency key was used before with a different event.
    case idempotencyMismatch = "idempotency-mismatch"
    /// The named organization, member, seq, ... does not exist.
    case notFound = "not-found"
    /// An integrity failure halted writes; reads still work.
    case readOnly = "read-only"
    /// The ledger cannot serve the verb right now (e.g. still opening).
    case unavailable = "unavailable"
    /// A bug or an unexpected failure; details are in the daemon's log.
    case `internal` = "internal"
}

extension WireErrorCode {
    /// Maps a JSON parse failure code (LedgerJSON's `JSONParseError.Code` raw
    /// values) onto the wire. Unknown parse codes are syntax errors.
    init(parseFailureCode code: String) {
        switch code {
        case "invalid-utf8": self = .invalidUTF8
        case "too-deep": self = .tooDeep
        case "document-too-large": self = .lineTooLong
        default: self = .malformedJSON
        }
    }
}
