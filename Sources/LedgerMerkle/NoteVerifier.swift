import Crypto

/// Verifies Ed25519 note signatures by one key, given its verifier key string
/// "<name>+<8 hex digits key ID>+<base64(0x01 ‖ 32-byte public key)>".
public struct NoteVerifier: Sendable {
    /// The key name.
    public let name: String
    /// The key ID (checked against name and public key at load).
    public let keyID: UInt32
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]

    init(name: String, keyID: UInt32, publicKey: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.publicKey = publicKey
    }

    /// Loads a verifier key string (surrounding whitespace is not trimmed: trim a file's final
    /// newline before calling).
    /// - Throws: `CheckpointError` — `malformedKey` for a string not of that form; `invalidName`;
    ///   `unknownAlgorithm`; `keyIDMismatch` if the key ID does not match the name and key.
    public init(verifierKey: String) throws(CheckpointError) {
        let what = "verifier key"
        guard let parts = NoteKeys.split(verifierKey[...]) else {
            throw CheckpointError(.malformedKey, "\(what): the form is <name>+<key id>+<key>")
        }
        try NoteName.check(String(parts.name))
        guard let keyID = NoteName.parseKeyID(parts.keyID) else {
            throw CheckpointError(.malformedKey, "\(what): the key id is 8 hex digits, got \"\(parts.keyID)\"")
        }
        let key = try NoteKeys.decodeEd25519(parts.key, what: what)
        let want = NoteName.ed25519KeyID(name: String(parts.name), publicKey: key)
        guard keyID == want else {
            throw CheckpointError(
                .keyIDMismatch,
                "\(what): key id for this name and key is \(NoteName.keyIDHex(want)), got \(NoteName.keyIDHex(keyID))")
        }
        self.init(name: String(parts.name), keyID: keyID, publicKey: key)
    }

    /// The verifier key string.
    public var verifierKey: String {
        "\(name)+\(NoteName.keyIDHex(keyID))+" + Base64.encode([NoteKeys.ed25519Algorithm] + publicKey)
    }

    /// Checks that `note` carries a valid signature by this key and returns its text.
    ///
    /// Signatures by other keys (another name or key ID) are ignored, as the spec requires.
    /// Every signature by this key must verify.
    /// - Throws: `CheckpointError.invalidSignature` if a signature by this key does not verify
    ///   (the text or signature was changed, or another key holds this name and ID);
    ///   `.unsignedByKey` if none is by this key (remedy: check the verifier key belongs to this log).
    @discardableResult
    public func verify(_ note: SignedNote) throws(CheckpointError) -> String {
        let ours = note.signatures.filter { $0.name == name && $0.keyID == keyID }
        guard !ours.isEmpty else {
            let others = note.signatures.map { "\($0.name)+\(NoteName.keyIDHex($0.keyID))" }.joined(separator: ", ")
            throw CheckpointError(
                .unsignedByKey,
                "want a signature by \(name)+\(NoteName.keyIDHex(keyID)), got only [\(others)]")
        }
        let key: Curve25519.Signing.PublicKey
        do {
            key = try Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
        } catch {
            throw CheckpointError(.cryptoFailure, "cannot load the Ed25519 public key: \(error)")
        }
        let message = Array(note.text.utf8)
        for signature in ours where !key.isValidSignature(signature.signature, for: message) {
            throw CheckpointError(
                .invalidSignature,
                "the signature by \(name)+\(NoteName.keyIDHex(keyID)) does not verify over this text")
        }
        return note.text
    }

    /// Parses a signed checkpoint, verifies this key's signature and parses the body.
    /// - Throws: as `SignedNote.parse`, `verify` and `Checkpoint.parse`.
    public func verifyCheckpoint(_ signedNote: String) throws(CheckpointError) -> Checkpoint {
        let note = try SignedNote.parse(signedNote)
        return try Checkpoint.parse(body: verify(note))
    }
}
