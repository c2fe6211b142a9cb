/// Verifies RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs. Pure; needs no tree.
///
/// The checks follow transparency-dev/merkle's `proof/verify.go`, which is equivalent to the RFC
/// algorithms but first computes how many hashes the sizes require, so a proof of the wrong
/// length is refused with `wrong-proof-size` before any hashing.
public enum MerkleVerifier {
    /// Checks that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`.
    /// - Throws: `MerkleError` — `indexOutOfRange` if `index >= size`; `wrongProofSize` if the
    ///   proof length does not fit (index, size); `rootMismatch` if the proof leads elsewhere
    ///   (the leaf, index, size or root is not the one the proof was made for).
    public static func verifyInclusion(
        leafHash: TreeHash, index: UInt64, size: UInt64, proof: [TreeHash], root: TreeHash
    ) throws(MerkleError) {
        let calculated = try rootFromInclusionProof(leafHash: leafHash, index: index, size: size, proof: proof)
        try match(calculated, root, "inclusion of leaf \(index) in tree of size \(size)")
    }

    /// The root that an inclusion proof of `leafHash` at `index` implies for a tree of `size`.
    /// - Throws: `MerkleError.indexOutOfRange` or `.wrongProofSize`, as `verifyInclusion`.
    public static func rootFromInclusionProof(
        leafHash: TreeHash, index: UInt64, size: UInt64, proof: [TreeHash]
    ) throws(MerkleError) -> TreeHash {
        guard index < size else {
            throw MerkleError(.indexOutOfRange, "leaf index \(index) is not below tree size \(size)")
        }
        let (inner, border) = decomposeInclusionProof(index: index, size: size)
        guard proof.count == inner + border else {
            throw MerkleError(
                .wrongProofSize,
                "inclusion proof for leaf \(index) in tree of size \(size) has \(inner + border) hashes, got \(proof.count)"
            )
        }
        let hash = chainInner(leafHash, proof[..<inner], index: index)
        return chainBorderRight(hash, proof[inner...])
    }

    /// Checks that the tree of `newSize` leaves with root `newRoot` extends the tree of `oldSize`
    /// leaves with root `oldRoot`.
    ///
    /// Equal sizes need an empty proof and equal roots. From size 0 (which RFC 9162 leaves
    /// undefined) an empty proof is accepted when `oldRoot` is `RFC9162.emptyRoot`: every tree
    /// extends the empty one.
    /// - Throws: `MerkleError` — `badSizes` if `oldSize > newSize`; `wrongProofSize` if the proof length does not fit the sizes; `rootMismatch` if either
    ///   root is not the one the proof implies (the log forked, or the sizes or roots are swapped).
    ///   From size 0 a non-empty proof is `wrongProofSize` and another old root `rootMismatch`.
    public static func verifyConsistency(
        oldSize: UInt64, newSize: UInt64, oldRoot: TreeHash, newRoot: TreeHash, proof: [TreeHash]
    ) throws(MerkleError) {
        if oldSize == 0 && newSize > 0 {
            // Every tree extends the empty tree; there is nothing to prove but the old root.
            guard proof.isEmpty else {
                throw MerkleError(
                    .wrongProofSize, "consistency proof 0 → \(newSize) has 0 hashes, got \(proof.count)")
            }
            try match(oldRoot, RFC9162.emptyRoot, "old root of the empty tree")
            return
        }
        let calculated = try rootFromConsistencyProof(
            oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, proof: proof)
        try match(calculated, newRoot, "new root of consistency \(oldSize) → \(newSize)")
    }

    /// Checks the proof against `oldRoot` and returns the new root it implies.
    /// - Throws: as `verifyConsistency`, except that the new root is not compared; and
    ///   `badSizes` for `oldSize == 0 < newSize`, which implies no root.
    public static func rootFromConsistencyProof(
        oldSize: UInt64, newSize: UInt64, oldRoot: TreeHash, proof: [TreeHash]
    ) throws(MerkleError) -> TreeHash {
        guard oldSize <= newSize else {
            throw MerkleError(.badSizes, "old size \(oldSize) is above new size \(newSize)")
        }
        if oldSize == 0 && newSize > 0 {
            throw MerkleError(
                .badSizes,
                "a consistency proof from the empty tree implies no root for size \(newSize); use verifyConsistency or compare roots")
        }
        if oldSize == newSize {
            guard proof.isEmpty else {
                throw MerkleError(
                    .wrongProofSize,
                    "consistency proof \(oldSize) → \(newSize) has 0 hashes, got \(proof.count)")
            }
            return oldRoot
        }

        var (inner, border) = decomposeInclusionProof(index: oldSize - 1, size: newSize)
        let shift = oldSize.trailingZeroBitCount
        inner -= shift  // shift < inner since oldSize < newSize

        // The proof starts with the hash of the old tree's last perfect subtree (level `shift`),
        // unless the old tree is that very subtree: then its root is the seed.
        let seed: TreeHash
        let start: Int
        if oldSize == UInt64(1) << UInt64(shift) {
            seed = oldRoot
            start = 0
        } else {
            guard let first = proof.first else {
                throw MerkleError(
                    .wrongProofSize,
                    "consistency proof \(oldSize) → \(newSize) has \(1 + inner + border) hashes, got 0")
            }
            seed = first
            start = 1
        }
        guard proof.count == start + inner + border else {
            throw MerkleError(
                .wrongProofSize,
                "consistency proof \(oldSize) → \(newSize) has \(start + inner + border) hashes, got \(proof.count)")
        }
        let rest = proof[start...]
        let innerPart = rest.prefix(inner)
        let borderPart = rest.dropFirst(inner)
        let mask = (oldSize - 1) >> UInt64(shift)

        let old = chainBorderRight(chainInnerRight(seed, innerPart, index: mask), borderPart)
        try match(old, oldRoot, "old root of consistency \(oldSize) → \(newSize)")
        return chainBorderRight(chainInner(seed, innerPart, index: mask), borderPart)
    }

    // MARK: - Chaining (transparency-dev/merkle proof/verify.go)

    /// Splits the inclusion proof of (index, size) where the paths to `index` and `size - 1`
    /// diverge: `inner` hashes below that point, `border` hashes along the right border above it.
    static func decomposeInclusionProof(index: UInt64, size: UInt64) -> (inner: Int, border: Int) {
        let inner = 64 - (index ^ (size - 1)).leadingZeroBitCount
        let border = (inner >= 64 ? 0 : index >> UInt64(inner)).nonzeroBitCount
        return (inner, border)
    }

    private static func chainInner(_ seed: TreeHash, _ proof: ArraySlice<TreeHash>, index: UInt64) -> TreeHash {
        var hash = seed
        for (level, sibling) in proof.enumerated() {
            if (index >> UInt64(level)) & 1 == 0 {
                hash = RFC9162.nodeHash(hash, sibling)
            } else {
                hash = RFC9162.nodeHash(sibling, hash)
            }
        }
        return hash
    }

    /// Like `chainInner`, but only the left siblings count: the hash of the older, smaller version
    /// of the same subtree.
    private static func chainInnerRight(_ seed: TreeHash, _ proof: ArraySlice<TreeHash>, index: UInt64) -> TreeHash {
        var hash = seed
        for (level, sibling) in proof.enumerated() where (index >> UInt64(level)) & 1 == 1 {
            hash = RFC9162.nodeHash(sibling, hash)
        }
        return hash
    }

    private static func chainBorderRight(_ seed: TreeHash, _ proof: ArraySlice<TreeHash>) -> TreeHash {
        var hash = seed
        for sibling in proof { hash = RFC9162.nodeHash(sibling, hash) }
        return hash
    }

    private static func match(_ calculated: TreeHash, _ expected: TreeHash, _ what: String) throws(MerkleError) {
        guard calculated == expected else {
            throw MerkleError(.rootMismatch, "\(what): calculated root \(calculated.hex), want \(expected.hex)")
        }
    }
}
