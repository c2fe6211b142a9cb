import Foundation
import LedgerJSON
import LedgerMerkle

/// Checks the JSON of `ledgerctl prove` offline.
public enum ProofChecker {
    /// A proof is two checkpoints and at most 2 × 64 hashes: far below this.
    public static let inputBytesMax = 1 << 20

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// Recomputes the proof's root and, given a verifier key, verifies the
    /// signed checkpoints it carries and that they sign that root.
    /// - Returns: what the proof shows, in words.
    /// - Throws: `Failure` or the `MerkleError`/`CheckpointError` naming what does not hold.
    public static func check(_ proof: JSONValue, verifierKey: String?) throws -> String {
        func hash(_ key: String) throws -> TreeHash {
            guard let text = proof[key]?.stringValue, let h = TreeHash(hex: text) else { throw Failure("'\(key)' is missing or not a hex hash") }
            return h
        }
        func int(_ key: String) throws -> UInt64 {
            guard let n = proof[key]?.intValue, n >= 0 else { throw Failure("'\(key)' is missing or not a number") }
            return UInt64(n)
        }
        let path = try (proof["proof"]?.arrayValue ?? []).map { v -> TreeHash in
            guard let s = v.stringValue, let h = TreeHash(hex: s) else { throw Failure("'proof' holds a value that is not a hex hash") }
            return h
        }
        var checkpoints: [(String, TreeHash, UInt64)] = []
        let message: String
        if proof["seq"] != nil {
            let size = try int("size")
            let root = try hash("rootHash")
            let seq = try int("seq"), index = try int("index"), leaf = try hash("leafHash")
            // The tree's leaf i is the event of seq i + 1 (CONTRACT.md): the
            // proof is about `index`, so the seq named must be that one.
            guard seq >= 1, index == seq - 1 else {
                throw Failure("the proof is for leaf index \(index), which is seq \(index + 1), not seq \(seq)")
            }
            try MerkleVerifier.verifyInclusion(leafHash: leaf, index: index, size: size, proof: path, root: root)
            checkpoints.append(("checkpoint", root, size))
            message = "event \(seq) (leaf hash \(leaf.hex)) is in the tree of size \(size) with root \(root.hex)"
        } else {
            let from = try int("from"), to = try int("to")
            let oldRoot = try hash("fromRootHash"), newRoot = try hash("toRootHash")
            try MerkleVerifier.verifyConsistency(oldSize: from, newSize: to, oldRoot: oldRoot, newRoot: newRoot, proof: path)
            checkpoints.append(("fromCheckpoint", oldRoot, from))
            checkpoints.append(("toCheckpoint", newRoot, to))
            message = "the tree of size \(to) extends the tree of size \(from)"
        }
        guard let verifierKey else { return message + " (checkpoint signatures not checked: no verifier key given)" }
        let verifier = try NoteVerifier(verifierKey: verifierKey.trimmingCharacters(in: .whitespacesAndNewlines))
        var checked = 0
        for (key, root, size) in checkpoints {
            guard let text = proof[key]?.stringValue else { continue }
            let note = try SignedNote.parse(text)
            try verifier.verify(note)
            let checkpoint = try Checkpoint.parse(body: note.text)
            guard checkpoint.size == size, checkpoint.rootHash == root else {
                throw Failure("\(key) is for size \(checkpoint.size) with root \(checkpoint.rootHash.hex); the proof is about size \(size) with root \(root.hex)")
            }
            checked += 1
        }
        guard checked > 0 else { throw Failure("the proof carries no signed checkpoint to check against the key") }
        return message + "; \(checked) signed checkpoint(s) verified"
    }
}
