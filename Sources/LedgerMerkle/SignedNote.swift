/// A C2SP signed note: a text ending in "\n", a blank line, then one or more signature lines.
///
/// Parsing checks syntax only; `NoteVerifier.verify` checks signatures. The text is what is
/// signed (its final "\n" included, the blank line not).
public struct SignedNote: Sendable, Equatable {
    /// At most this many signature lines are accepted (the spec asks for at least 16; Go's
    /// sumdb/note stops at 100).
    public static let maxSignatures = 100
    /// At most this many bytes in a whole note (a checkpoint with many cosignatures is a few kB).
    public static let maxNoteBytes = 1 << 20

    /// The signed text; ends with "\n".
    public let text: String
    /// The signatures in note order.
    public let signatures: [NoteSignature]

    /// Assembles a note.
    /// - Throws: `CheckpointError.malformedNote` if the text does not end in "\n" or holds
    ///   control characters other than "\n", or there are no or too many signatures;
    ///   `.invalidName` for a signature whose name is invalid.
    public init(text: String, signatures: [NoteSignature]) throws(CheckpointError) {
        try SignedNote.checkText(text)
        guard !signatures.isEmpty else {
            throw CheckpointError(.malformedNote, "a signed note has at least 1 signature, got 0")
        }
        guard signatures.count <= Self.maxSignatures else {
            throw CheckpointError(
                .tooManySignatures, "a note has at most \(Self.maxSignatures) signatures, got \(signatures.count)")
        }
        for signature in signatures { try NoteName.check(signature.name) }
        self.text = text
        self.signatures = signatures
    }

    /// The note as sent: text, "\n", then one line per signature.
    public var formatted: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Parses a note given as bytes, refusing invalid UTF-8 (which a `String` cannot hold).
    /// - Throws: as `parse(_:)`.
    public static func parse(utf8 bytes: [UInt8]) throws(CheckpointError) -> SignedNote {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CheckpointError(.malformedNote, "a signed note is valid UTF-8, got invalid bytes")
        }
        return try parse(text)
    }

    /// Parses a signed note strictly (C2SP signed-note, as golang.org/x/mod/sumdb/note `Open`):
    /// no control characters but "\n"; the text is everything up to the last blank line; then
    /// one or more lines "— <name> <base64>" each ending in "\n", the base64 canonical and of at
    /// least 5 bytes (key ID and signature).
    /// - Throws: `CheckpointError.malformedNote` saying what is wrong; `.tooManySignatures`
    ///   past `maxSignatures`.
    public static func parse(_ note: String) throws(CheckpointError) -> SignedNote {
        let bytes = Array(note.utf8)
        guard bytes.count <= maxNoteBytes else {
            throw CheckpointError(.malformedNote, "a note has at most \(maxNoteBytes) bytes, got \(bytes.count)")
        }
        if let bad = bytes.first(where: { $0 < 0x20 && $0 != 0x0a }) {
            throw CheckpointError(.malformedNote, "a note holds no control characters, got 0x\(Hex.encode([bad]))")
        }
        guard let split = lastBlankLine(bytes) else {
            throw CheckpointError(.malformedNote, "a signed note has a blank line before its signatures, got none")
        }
        let text = String(decoding: bytes[..<(split + 1)], as: UTF8.self)
        let block = bytes[(split + 2)...]
        guard let last = block.last, last == 0x0a else {
            throw CheckpointError(.malformedNote, "the signature lines end with a newline, got none")
        }
        var signatures: [NoteSignature] = []
        for line in block.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false) {
            guard signatures.count < maxSignatures else {
                throw CheckpointError(
                    .tooManySignatures, "a note has at most \(maxSignatures) signatures, got more")
            }
            signatures.append(try parseSignatureLine(String(decoding: line, as: UTF8.self)))
        }
        return SignedNote(checkedText: text, signatures: signatures)
    }

    private init(checkedText: String, signatures: [NoteSignature]) {
        self.text = checkedText
        self.signatures = signatures
    }

    /// "— <name> <base64>" without its "\n".
    private static func parseSignatureLine(_ line: String) throws(CheckpointError) -> NoteSignature {
        let prefix = "\u{2014} "
        guard line.hasPrefix(prefix) else {
            throw CheckpointError(.malformedNote, "a signature line starts with \"— \", got \"\(line)\"")
        }
        let rest = line.unicodeScalars.dropFirst(2)
        guard let space = rest.firstIndex(of: " ") else {
            throw CheckpointError(.malformedNote, "a signature line is \"— <name> <base64>\", got \"\(line)\"")
        }
        let name = String(Substring(rest[..<space]))
        let encoded = String(Substring(rest[rest.index(after: space)...]))
        guard NoteName.isValid(name) else {
            throw CheckpointError(.malformedNote, "a signature's key name is invalid: \"\(name)\"")
        }
        guard let blob = Base64.decode(encoded), blob.count >= 5 else {
            throw CheckpointError(
                .malformedNote, "a signature is canonical base64 of at least 5 bytes, got \"\(encoded)\"")
        }
        let keyID = blob[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return NoteSignature(name: name, keyID: keyID, signature: Array(blob[4...]))
    }

    /// The index of the first "\n" of the last "\n\n".
    private static func lastBlankLine(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        var index = bytes.count - 2
        while index >= 0 {
            if bytes[index] == 0x0a && bytes[index + 1] == 0x0a { return index }
            index -= 1
        }
        return nil
    }

    /// - Throws: `CheckpointError.malformedNote` unless the text ends in "\n" and holds no
    ///   control character other than "\n".
    static func checkText(_ text: String) throws(CheckpointError) {
        guard text.utf8.last == 0x0a else {
            throw CheckpointError(.malformedNote, "a note's text ends with a newline, got none")
        }
        if let bad = text.utf8.first(where: { $0 < 0x20 && $0 != 0x0a }) {
            throw CheckpointError(.malformedNote, "a note's text holds no control characters, got 0x\(Hex.encode([bad]))")
        }
    }
}
