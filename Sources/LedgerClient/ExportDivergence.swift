import LedgerMerkle

/// Where an export first differs from the ledger, when every line hashes to
/// its own `leafHash` and only the signed root disagrees (a line rewritten
/// together with its `leafHash`): the ledger's other signed checkpoints (an
/// audit bundle's `checkpoints.jsonl`) bound the first differing seq between
/// the last one whose root the export's prefix matches and the first whose
/// root it does not.
extension ExportVerifier {
    /// The seqs among which the first differing event lies.
    public struct Divergence: Sendable, Equatable {
        /// The first seq that may differ (the last matching checkpoint's size + 1).
        public let from: UInt64
        /// The last seq it may be (the first checkpoint that does not match).
        public let through: UInt64
        /// How many checkpoints were compared.
        public let checkpointsCompared: Int
        /// The ledger signed another root than the verified prefix's at the
        /// prefix's size: it forked at or before it (then `through` is that size).
        public var forkedBeforePrefix = false
    }

    /// A ledger's checkpoint as listed by the `checkpoints` verb.
    public struct ListedCheckpoint: Sendable {
        public let size: UInt64
        public let note: String
        public init(size: UInt64, note: String) {
            self.size = size
            self.note = note
        }
    }

    /// Reads the export from `fd` (from its start) once more, line by line,
    /// comparing the root of each prefix the `checkpoints` sign with the
    /// signed one. A checkpoint counts only if its note verifies with the
    /// key and its body is for the size listed; one that does not is skipped.
    /// Nil if no signed checkpoint up to the verified one's size disagrees
    /// (or a line cannot be read: the main verification names that).
    ///
    /// An export of the events after a verified prefix starts from its tree;
    /// the seqs up to it count as matching only if a listed checkpoint of its
    /// size has its root, and one with another root proves the ledger forked
    /// at or before it (`through` ≤ the prefix's size).
    public func locateDivergence(fileDescriptor fd: Int32, checkpoints: [ListedCheckpoint],
                                 verifierKey: String) -> Divergence? {
        guard let verifier = try? NoteVerifier(verifierKey: verifierKey.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        func signedRoot(_ item: ListedCheckpoint) -> TreeHash? {
            guard let note = try? SignedNote.parse(item.note), (try? verifier.verify(note)) != nil,
                  let body = try? Checkpoint.parse(body: note.text), body.size == item.size,
                  Array(body.origin.utf8) == Array(checkpoint.origin.utf8)
            else { return nil }
            return body.rootHash
        }
        // Sizes up to the verified checkpoint's; its own is the last.
        var bounds = checkpoints.filter { $0.size >= 1 && $0.size < checkpoint.size }
            .compactMap { item in signedRoot(item).map { (size: item.size, root: $0) } }
        var reader = LineBlockReader(fd: fd, lineBytesMax: lineBytesMax, bufferBytes: readBufferBytes)
        var (range, _) = startingTree(&reader)
        var lastMatching: UInt64 = 0
        var compared = 0
        if let prefix, prefix.size > 0 {
            // Two signed roots of the prefix's size that differ: the ledger forked at or before it,
            // whatever the export holds.
            let atPrefix = bounds.filter { $0.size == prefix.size }
            if atPrefix.contains(where: { $0.root != prefix.range.root() }) {
                var fork = Divergence(from: 1, through: prefix.size, checkpointsCompared: atPrefix.count)
                fork.forkedBeforePrefix = true
                return fork
            }
            if range.size > 0 {
                // The events after the prefix only: the ledger's checkpoints up to it can be held
                // only to its root, and the ledger matches up to it only if one of its own says so.
                // (A whole export is compared with the ledger's checkpoints alone: the
                // verification itself says FORK when its first events miss the prefix's root.)
                compared = atPrefix.count
                if !atPrefix.isEmpty { lastMatching = prefix.size }
                bounds.removeAll { $0.size <= prefix.size }
            }
        }
        bounds.sort { $0.size < $1.size }
        bounds.append((checkpoint.size, checkpoint.rootHash))
        let base = range.size
        for bound in bounds {
            while range.size < bound.size {
                guard let ready = try? reader.available(upTo: Int(min(4096, bound.size - range.size))), ready > 0 else {
                    return nil
                }
                for index in 0..<ready {
                    guard case .success(let leaf) = Self.checkLine(
                        reader.line(index), want: range.size + 1, lineNumber: range.size - base + 1)
                    else { return nil }
                    range.append(leaf)
                }
                reader.consume(ready)
            }
            compared += 1
            if range.root() != bound.root {
                return Divergence(from: lastMatching + 1, through: bound.size, checkpointsCompared: compared)
            }
            lastMatching = bound.size
        }
        return nil
    }
}
