/// Builds RFC 9162 roots, inclusion proofs (§2.1.3.1) and consistency proofs (§2.1.4.1) from the
/// perfect-subtree nodes a storage keeps. The RFC's recursive definitions are written as they
/// stand, over `subtreeHash(start, end)`, which composes any RFC subtree from at most 64 perfect
/// nodes (O(log n) node reads a hash).
public enum MerkleProofs {
    /// The RFC 9162 Merkle tree hash of the first `size` leaves (`RFC9162.emptyRoot` for 0).
    /// - Throws: whatever `nodes` throws (a node missing below `size` is a storage integrity failure).
    public static func root(size: UInt64, nodes: some PerfectNodeSource) throws -> TreeHash {
        guard size > 0 else { return RFC9162.emptyRoot }
        return try subtreeHash(0, size, nodes)
    }

    /// PATH(index, D[0:size]): the audit path of leaf `index`, bottom up.
    /// - Throws: `MerkleError.indexOutOfRange` if `index >= size` (remedy: prove only existing
    ///   leaves); whatever `nodes` throws.
    public static func inclusionProof(index: UInt64, size: UInt64, nodes: some PerfectNodeSource) throws
        -> [TreeHash]
    {
        guard index < size else {
            throw MerkleError(.indexOutOfRange, "leaf index \(index) is not below tree size \(size)")
        }
        var proof: [TreeHash] = []
        try path(index, 0, size, nodes, &proof)
        return proof
    }

    /// PROOF(oldSize, D[0:newSize]): the consistency proof between two tree sizes.
    ///
    /// Empty when `oldSize == newSize`. Also empty when `oldSize == 0`: RFC 9162 defines no proof
    /// from the empty tree, which every tree extends (`MerkleVerifier.verifyConsistency` accepts
    /// it when the old root is `RFC9162.emptyRoot`).
    /// - Throws: `MerkleError.badSizes` if `oldSize > newSize` (remedy: pass the older size
    ///   first); whatever `nodes` throws.
    public static func consistencyProof(from oldSize: UInt64, to newSize: UInt64, nodes: some PerfectNodeSource)
        throws -> [TreeHash]
    {
        guard oldSize <= newSize else {
            throw MerkleError(.badSizes, "old size \(oldSize) is above new size \(newSize)")
        }
        guard oldSize > 0, oldSize < newSize else { return [] }
        var proof: [TreeHash] = []
        try subproof(oldSize, 0, newSize, true, nodes, &proof)
        return proof
    }

    // MARK: - The RFC definitions over leaf ranges [start, end)

    /// PATH(m, D[start:end]) (RFC 9162 §2.1.3.1), `m` an absolute leaf index in [start, end).
    private static func path(
        _ m: UInt64, _ start: UInt64, _ end: UInt64, _ nodes: some PerfectNodeSource, _ proof: inout [TreeHash]
    ) throws {
        let n = end - start
        guard n > 1 else { return }  // PATH(0, {d(0)}) = {}
        let k = largestPowerOfTwo(below: n)
        if m < start + k {
            try path(m, start, start + k, nodes, &proof)
            proof.append(try subtreeHash(start + k, end, nodes))
        } else {
            try path(m, start + k, end, nodes, &proof)
            proof.append(try subtreeHash(start, start + k, nodes))
        }
    }

    /// SUBPROOF(m, D[start:end], b) (RFC 9162 §2.1.4.1), `m` the absolute old size, start < m ≤ end.
    private static func subproof(
        _ m: UInt64, _ start: UInt64, _ end: UInt64, _ b: Bool, _ nodes: some PerfectNodeSource,
        _ proof: inout [TreeHash]
    ) throws {
        let n = end - start
        if m == end {
            // The subtree is complete in the old tree: its hash is known (b) or must be supplied.
            if !b { proof.append(try subtreeHash(start, end, nodes)) }
            return
        }
        let k = largestPowerOfTwo(below: n)
        if m <= start + k {
            try subproof(m, start, start + k, b, nodes, &proof)
            proof.append(try subtreeHash(start + k, end, nodes))
        } else {
            try subproof(m, start + k, end, false, nodes, &proof)
            proof.append(try subtreeHash(start, start + k, nodes))
        }
    }

    /// MTH(D[start:end]) for a range the RFC recursion produces: `start` is a multiple of a power
    /// of two at least `end - start`. The range splits into perfect subtrees, largest first,
    /// whose hashes fold right to left exactly as MTH does.
    static func subtreeHash(_ start: UInt64, _ end: UInt64, _ nodes: some PerfectNodeSource) throws -> TreeHash {
        precondition(start < end, "empty subtree [\(start), \(end))")
        var parts: [TreeHash] = []
        var cursor = start
        while cursor < end {
            var level = min(cursor.trailingZeroBitCount, 63)
            while UInt64(1) << UInt64(level) > end - cursor { level -= 1 }
            parts.append(try nodes.perfectNode(level: level, index: cursor >> UInt64(level)))
            cursor += UInt64(1) << UInt64(level)
        }
        var hash = parts.removeLast()
        for part in parts.reversed() { hash = RFC9162.nodeHash(part, hash) }
        return hash
    }

    /// The largest power of two strictly below `n`. Precondition: n ≥ 2.
    static func largestPowerOfTwo(below n: UInt64) -> UInt64 {
        precondition(n >= 2)
        return UInt64(1) << UInt64(63 - (n - 1).leadingZeroBitCount)
    }
}
