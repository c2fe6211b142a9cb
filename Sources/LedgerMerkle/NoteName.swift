import Crypto

/// Key names and key IDs of C2SP signed notes.
enum NoteName {
    /// A name is non-empty and holds no Unicode space and no "+" (C2SP signed-note).
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty
            && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0 == "+" || $0.value < 0x20 || $0.value == 0x7f }
    }

    /// - Throws: `CheckpointError.invalidName` (remedy: a name such as "ledger.example/audit").
    static func check(_ name: String) throws(CheckpointError) {
        guard isValid(name) else {
            throw CheckpointError(
                .invalidName, "a key name is non-empty with no spaces, control characters or \"+\", got \"\(name)\"")
        }
    }

    /// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ publicKey)[0..<4] as a big-endian integer.
    static func ed25519KeyID(name: String, publicKey: [UInt8]) -> UInt32 {
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8) + [0x0a, NoteKeys.ed25519Algorithm] + publicKey)
        return hasher.finalize().withUnsafeBytes { $0.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
    }

    /// Eight lowercase hex digits.
    static func keyIDHex(_ keyID: UInt32) -> String {
        let digits = String(keyID, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Parses exactly eight hex digits (either case, as golang.org/x/mod/sumdb/note).
    static func parseKeyID(_ text: Substring) -> UInt32? {
        guard text.utf8.count == 8 else { return nil }
        var value: UInt32 = 0
        for char in text.utf8 {
            guard let digit = Hex.value(char) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

/// Key string formats of golang.org/x/mod/sumdb/note.
enum NoteKeys {
    static let ed25519Algorithm: UInt8 = 0x01
    static let privateKeyPrefix = "PRIVATE+KEY+"

    /// Splits "<name>+<hex key id>+<base64 key>" (the base64 may itself hold "+").
    static func split(_ text: Substring) -> (name: Substring, keyID: Substring, key: Substring)? {
        guard let firstPlus = text.firstIndex(of: "+") else { return nil }
        let afterName = text[text.index(after: firstPlus)...]
        guard let secondPlus = afterName.firstIndex(of: "+") else { return nil }
        return (text[..<firstPlus], afterName[..<secondPlus], afterName[afterName.index(after: secondPlus)...])
    }

    /// Decodes the key part: 0x01 followed by 32 bytes.
    static func decodeEd25519(_ key: Substring, what: String) throws(CheckpointError) -> [UInt8] {
        guard let bytes = Base64.decode(String(key)), !bytes.isEmpty else {
            throw CheckpointError(.malformedKey, "\(what): the key is canonical base64, got \"\(key)\"")
        }
        guard bytes[0] == ed25519Algorithm else {
            throw CheckpointError(
                .unknownAlgorithm, "\(what): the algorithm byte is 0x01 (Ed25519), got 0x\(Hex.encode([bytes[0]]))")
        }
        guard bytes.count == 33 else {
            throw CheckpointError(.malformedKey, "\(what): an Ed25519 key is 32 bytes, got \(bytes.count - 1)")
        }
        return Array(bytes[1...])
    }
}
