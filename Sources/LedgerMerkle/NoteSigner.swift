import Crypto
import Foundation

/// An Ed25519 note signing key (C2SP signed-note signature type 0x01), in the key string format
/// of golang.org/x/mod/sumdb/note.
///
/// The private key string grants signing: store it like a password (the daemon keeps it mode
/// 0600 in its data directory).
public struct NoteSigner: Sendable {
    /// The key name, e.g. "ledger.example/audit"; by convention the checkpoint origin.
    public let name: String
    /// SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[0..<4], big-endian.
    public let keyID: UInt32
    /// The 32-byte Ed25519 seed (RFC 8032 private key).
    private let seed: [UInt8]
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]
    /// The expanded signing key, made once: expanding the seed is a scalar
    /// multiplication, as costly as the signature itself. (swift-crypto 3 does
    /// not mark the key Sendable; it is immutable after init and Ed25519
    /// signing only reads it, so sharing it across threads is safe.)
    nonisolated(unsafe) private let key: Curve25519.Signing.PrivateKey

    private init(name: String, seed: [UInt8]) throws(CheckpointError) {
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        } catch {
            throw CheckpointError(.cryptoFailure, "cannot load an Ed25519 seed of \(seed.count) bytes: \(error)")
        }
        self.name = name
        self.seed = seed
        self.key = key
        self.publicKey = Array(key.publicKey.rawRepresentation)
        self.keyID = NoteName.ed25519KeyID(name: name, publicKey: publicKey)
    }

    /// Creates a fresh random key.
    /// - Throws: `CheckpointError.invalidName` (remedy: a name without spaces or "+").
    public static func generate(name: String) throws -> NoteSigner {
        try NoteName.check(name)
        let key = Curve25519.Signing.PrivateKey()
        return try NoteSigner(name: name, seed: Array(key.rawRepresentation))
    }

    /// Loads "PRIVATE+KEY+<name>+<8 hex digits key ID>+<base64(0x01 ‖ 32-byte seed)>".
    /// - Throws: `CheckpointError` — `malformedKey` for a string not of that form; `invalidName`;
    ///   `unknownAlgorithm` for another algorithm byte; `keyIDMismatch` if the key ID is not the
    ///   one the name and derived public key give (the string is damaged or edited).
    public init(privateKeyString: String) throws(CheckpointError) {
        let what = "private key"
        guard privateKeyString.hasPrefix(NoteKeys.privateKeyPrefix),
            let parts = NoteKeys.split(privateKeyString.dropFirst(NoteKeys.privateKeyPrefix.count))
        else {
            throw CheckpointError(.malformedKey, "\(what): the form is PRIVATE+KEY+<name>+<key id>+<key>")
        }
        try NoteName.check(String(parts.name))
        guard let keyID = NoteName.parseKeyID(parts.keyID) else {
            throw CheckpointError(.malformedKey, "\(what): the key id is 8 hex digits, got \"\(parts.keyID)\"")
        }
        let seed = try NoteKeys.decodeEd25519(parts.key, what: what)
        try self.init(name: String(parts.name), seed: seed)
        guard self.keyID == keyID else {
            throw CheckpointError(
                .keyIDMismatch,
                "\(what): key id for this name and key is \(NoteName.keyIDHex(self.keyID)), got \(NoteName.keyIDHex(keyID))")
        }
    }

    /// The private key string (secret).
    public var privateKeyString: String {
        NoteKeys.privateKeyPrefix + "\(name)+\(NoteName.keyIDHex(keyID))+"
            + Base64.encode([NoteKeys.ed25519Algorithm] + seed)
    }

    /// The public verifier key "<name>+<8 hex digits key ID>+<base64(0x01 ‖ public key)>".
    public var verifierKey: String {
        "\(name)+\(NoteName.keyIDHex(keyID))+" + Base64.encode([NoteKeys.ed25519Algorithm] + publicKey)
    }

    /// The verifier for this key.
    public var verifier: NoteVerifier {
        NoteVerifier(name: name, keyID: keyID, publicKey: publicKey)
    }

    /// Signs `text`, which must end with "\n" and hold no control characters but "\n".
    /// Ed25519 signatures here may be randomized: compare by verifying, never by bytes.
    /// - Throws: `CheckpointError.malformedNote` for such a text; `.cryptoFailure`.
    public func sign(_ text: String) throws -> SignedNote {
        try SignedNote.checkText(text)
        return try SignedNote(text: text, signatures: [signature(over: text)])
    }

    /// Signs a checkpoint's body (after `Checkpoint.validate()`).
    /// - Throws: `CheckpointError.malformedCheckpoint` for an invalid checkpoint; as `sign`.
    public func sign(_ checkpoint: Checkpoint) throws -> SignedNote {
        try checkpoint.validate()
        return try sign(checkpoint.body)
    }

    /// Adds this key's signature to `note` after the existing ones, replacing an earlier
    /// signature by the same name and key ID. Existing signatures are not checked (a witness
    /// verifies the log's signature with the log's `NoteVerifier` first).
    /// - Throws: `CheckpointError.tooManySignatures` if the note is full; `.cryptoFailure`.
    public func cosign(_ note: SignedNote) throws -> SignedNote {
        let others = note.signatures.filter { !($0.name == name && $0.keyID == keyID) }
        return try SignedNote(text: note.text, signatures: others + [signature(over: note.text)])
    }

    private func signature(over text: String) throws(CheckpointError) -> NoteSignature {
        do {
            let bytes = try key.signature(for: Array(text.utf8))
            return NoteSignature(name: name, keyID: keyID, signature: Array(bytes))
        } catch {
            throw CheckpointError(.cryptoFailure, "Ed25519 signing failed: \(error)")
        }
    }
}
