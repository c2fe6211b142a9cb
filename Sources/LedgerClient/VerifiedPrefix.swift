import Foundation
import LedgerJSON
import LedgerMerkle

/// What an earlier offline verification proved about a ledger, kept so that
/// the next export need hold only the events after it (`ledgerctl export
/// --from SIZE+1`): the signed checkpoint it verified and the compact range of
/// the tree at that size (the roots of the perfect subtrees of the first
/// `size` leaves: at most 64 hashes, whatever the ledger's size).
///
/// A verification that starts from it appends the new lines' leaves to the
/// range and must reach the new checkpoint's root. That proves the new
/// checkpoint extends the old one (no consistency proof is needed when every
/// new leaf is at hand), so a ledger rolled back or forked since is caught.
/// A higher committee that mirrors a committee's ledger month by month keeps
/// one of these per ledger and verifies only the month's events.
///
/// The file checks itself: the checkpoint must verify with the key it is
/// opened with, and the range's root must be the root that checkpoint signs.
/// A damaged or edited file is refused, never trusted; nobody without the
/// ledger's signing key can make one that passes for a tree it did not sign.
/// It holds nothing secret, though: an older genuine prefix passes too, and
/// resuming from it would accept a ledger rolled back to just after it. So
/// it is kept where only its verifier can write (`ledgerctl verify-export
/// --save-prefix` replaces only the file it resumed from).
public struct VerifiedPrefix: Sendable, Equatable {
    /// The `format` member of the file.
    public static let format = "ledger-verified-prefix/1"
    /// The largest file `init(json:verifierKey:)` reads (a note is far below
    /// the note parser's 1 MiB; 64 hashes are 4.2 KiB).
    public static let fileBytesMax = 2 << 20

    /// The verified checkpoint.
    public let checkpoint: Checkpoint
    /// Its signed note, as it was verified.
    public let note: String
    /// The tree's compact range at `checkpoint.size`.
    public let range: CompactRange

    public var size: UInt64 { range.size }

    /// Why a prefix cannot be made or read.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// A prefix from a verified tree: `range` must be the tree at the size
    /// `note` signs, and `note` must verify with `verifierKey`.
    public init(note: String, verifierKey: String, range: CompactRange) throws(Problem) {
        let checkpoint: Checkpoint
        do {
            let verifier = try NoteVerifier(verifierKey: verifierKey.trimmingCharacters(in: .whitespacesAndNewlines))
            checkpoint = try verifier.verifyCheckpoint(note)
        } catch {
            throw Problem("its checkpoint does not verify with the key: \(error)")
        }
        guard range.size == checkpoint.size else {
            throw Problem("its tree has \(range.size) leaves but its checkpoint signs \(checkpoint.size)")
        }
        guard range.root() == checkpoint.rootHash else {
            throw Problem("its tree's root \(range.root().hex) is not the root its checkpoint signs, "
                          + "\(checkpoint.rootHash.hex)")
        }
        self.checkpoint = checkpoint
        self.note = note
        self.range = range
    }

    /// Reads a prefix file (`json`), checking it as `init(note:verifierKey:range:)` does.
    public init(json bytes: [UInt8], verifierKey: String) throws(Problem) {
        guard bytes.count <= Self.fileBytesMax else {
            throw Problem("it is larger than \(Self.fileBytesMax) bytes; a verified prefix is a few KiB")
        }
        guard case .object(let object)? = try? JSONParser.parse(bytes) else {
            throw Problem("it is not a JSON object")
        }
        guard object["format"]?.stringValue == Self.format else {
            throw Problem("its format is not \(Self.format)")
        }
        guard let size = object["size"]?.intValue, size >= 0,
              let hexes = object["range"]?.arrayValue, let note = object["checkpoint"]?.stringValue
        else {
            throw Problem("it lacks size, range or checkpoint")
        }
        var hashes: [TreeHash] = []
        for hex in hexes {
            guard let text = hex.stringValue, let hash = TreeHash(hex: text) else {
                throw Problem("its range holds something other than 64-digit hex hashes")
            }
            hashes.append(hash)
        }
        let range: CompactRange
        do {
            range = try CompactRange(size: UInt64(size), hashes: hashes)
        } catch {
            throw Problem("its range is not a tree's: \(error)")
        }
        try self.init(note: note, verifierKey: verifierKey, range: range)
        // The members kept for people reading the file must say what the rest proves.
        guard object["origin"]?.stringValue.map({ Array($0.utf8) }) == Array(checkpoint.origin.utf8) else {
            throw Problem("its origin is not its checkpoint's, \(checkpoint.origin)")
        }
        guard object["rootHash"]?.stringValue == range.root().hex else {
            throw Problem("its rootHash is not its tree's root, \(range.root().hex)")
        }
    }

    /// The file's contents (RFC 8785 canonical JSON, one line).
    public var json: [UInt8] {
        let object: JSONValue = .object([
            "format": .string(Self.format),
            "origin": .string(checkpoint.origin),
            "size": .int(Int64(range.size)),
            "rootHash": .string(range.root().hex),
            "range": .array(range.hashes.map { .string($0.hex) }),
            "checkpoint": .string(note),
        ])
        return CanonicalJSON.encode(object) + [UInt8(ascii: "\n")]
    }
}
