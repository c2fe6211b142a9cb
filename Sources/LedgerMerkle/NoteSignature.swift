/// One signature line of a signed note: "— <name> base64(keyID big-endian ‖ signature)".
public struct NoteSignature: Sendable, Equatable {
    /// The signing key's name.
    public let name: String
    /// The key ID: the first 4 bytes, big-endian, of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)
    /// for Ed25519 keys.
    public let keyID: UInt32
    /// The signature bytes after the key ID (64 bytes for Ed25519; other keys' may differ).
    public let signature: [UInt8]

    public init(name: String, keyID: UInt32, signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// The line as it appears in a note, with its final "\n".
    public var line: String {
        var blob: [UInt8] = []
        blob.reserveCapacity(4 + signature.count)
        for shift in stride(from: 24, through: 0, by: -8) { blob.append(UInt8(truncatingIfNeeded: keyID >> UInt32(shift))) }
        blob.append(contentsOf: signature)
        return "\u{2014} \(name) \(Base64.encode(blob))\n"
    }
}
