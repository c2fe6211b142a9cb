/// Why the engine refused a request or failed it. The codes are the wire's
/// error codes (Schemas/protocol), stable; `details` carries structure such as
/// the domain rule's code and number or the event index in a batch.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The event is malformed (decoding: fields, types, limits).
        case invalid = "bad-arguments"
        /// A domain rule refused the event.
        case refused = "refused"
        /// `expectedVersion` did not match the stream's version.
        case conflict = "conflict"
        /// The idempotency key was used before with another event.
        case idempotencyMismatch = "idempotency-mismatch"
        /// What was asked for does not exist.
        case notFound = "not-found"
        /// Writes are halted (integrity failure or shutting down).
        case readOnly = "read-only"
        /// Too much work queued; try again later.
        case busy = "too-many-requests"
        case shuttingDown = "shutting-down"
        /// Storage failed (disk full, I/O error); nothing of the batch was written.
        case unavailable = "unavailable"
        case `internal` = "internal"
    }

    public let code: Code
    public let message: String
    public let details: [String: String]

    public init(_ code: Code, _ message: String, details: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
