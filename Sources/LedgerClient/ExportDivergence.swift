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

    /// Reads the export from `fd` (from its start, which is the first event
    /// after the verified prefix, if any) once more, line by line,
    /// comparing the root of each prefix the `checkpoints` sign with the
    /// signed one. A checkpoint counts only if its note verifies with the
    /// key and its body is for the size listed; one that does not is skipped.
    /// Nil if no signed checkpoint up to the verified one's size disagrees
    /// (or a line cannot be read: the main verification names that).
    public func locateDivergence(fileDescriptor fd: Int32, checkpoints: [ListedCheckpoint],
                                 verifierKey: String) -> Divergence? {
        guard let verifier = try? NoteVerifier(verifierKey: verifierKey.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        // Only sizes after the verified prefix and up to the verified
        // checkpoint's; its own is the last.
        var listed = checkpoints.filter { $0.size > startSize && $0.size < checkpoint.size }
        listed.sort { $0.size < $1.size }
        func signedRoot(_ item: ListedCheckpoint) -> TreeHash? {
            guard let note = try? SignedNote.parse(item.note), (try? verifier.verify(note)) != nil,
                  let body = try? Checkpoint.parse(body: note.text), body.size == item.size,
                  body.origin == checkpoint.origin
            else { return nil }
            return body.rootHash
        }
        var bounds = listed.compactMap { item in signedRoot(item).map { (size: item.size, root: $0) } }
        bounds.append((checkpoint.size, checkpoint.rootHash))

        var reader = LineBlockReader(fd: fd, lineBytesMax: lineBytesMax, bufferBytes: readBufferBytes)
        var range = prefix?.range ?? CompactRange()
        var lastMatching = startSize
        var compared = 0
        for bound in bounds {
            while range.size < bound.size {
                guard let ready = try? reader.available(upTo: Int(min(4096, bound.size - range.size))), ready > 0 else {
                    return nil
                }
                for index in 0..<ready {
                    guard case .success(let leaf) = Self.checkLine(
                        reader.line(index), want: range.size + 1, lineNumber: range.size + 1 - startSize)
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
