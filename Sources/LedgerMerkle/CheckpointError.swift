/// An error from checkpoints, signed notes and note keys.
///
/// `code` is stable; `message` names what was got and what was wanted.
public struct CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable error codes. Raw values are never changed or reused.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// The note text is not a C2SP tlog-checkpoint body.
        case malformedCheckpoint = "malformed-checkpoint"
        /// The signed note does not follow C2SP signed-note syntax.
        case malformedNote = "malformed-note"
        /// A key name is empty or holds a space or "+".
        case invalidName = "invalid-name"
        /// A verifier or private key string does not parse.
        case malformedKey = "malformed-key"
        /// A key's algorithm byte is not 0x01 (Ed25519).
        case unknownAlgorithm = "unknown-algorithm"
        /// A key string's key ID is not the one its name and public key give.
        case keyIDMismatch = "key-id-mismatch"
        /// A signature by the verifier's key (name and key ID match) does not verify.
        case invalidSignature = "invalid-signature"
        /// The note carries no signature by the verifier's key.
        case unsignedByKey = "unsigned-by-key"
        /// The note carries more signatures than `SignedNote.maxSignatures`.
        case tooManySignatures = "too-many-signatures"
        /// The crypto library failed to create a key or a signature.
        case cryptoFailure = "crypto-failure"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
