/// The compact range [0, size): the roots of the perfect subtrees that make up the first `size`
/// leaves, largest (leftmost) first — one per set bit of `size`, so at most 64 hashes.
///
/// This is all the state needed to keep appending leaves and to compute the RFC 9162 root while
/// streaming (an offline verifier reads an export once, with O(log n) memory). The storage
/// persists it (`serialized()`) next to the tree nodes so a restart need not re-read the log.
public struct CompactRange: Sendable, Equatable {
    /// The number of leaves covered.
    public private(set) var size: UInt64
    /// Roots of the perfect subtrees, largest first; `hashes.count == size.nonzeroBitCount`.
    public private(set) var hashes: [TreeHash]

    /// The empty range.
    public init() {
        size = 0
        hashes = []
    }

    /// Restores a range from its parts.
    /// - Throws: `MerkleError.malformed` if `hashes.count` is not the number of set bits of `size`
    ///   (remedy: pass the hashes exactly as `hashes` returned them for that size).
    public init(size: UInt64, hashes: [TreeHash]) throws(MerkleError) {
        guard hashes.count == size.nonzeroBitCount else {
            throw MerkleError(
                .malformed,
                "a compact range of size \(size) has \(size.nonzeroBitCount) hashes, got \(hashes.count)")
        }
        self.size = size
        self.hashes = hashes
    }

    /// Appends one leaf hash in O(log n).
    ///
    /// `visit(level, index, hash)` is called for every perfect-subtree node this append completes:
    /// the leaf itself first (level 0, index = the leaf's index), then each parent that became
    /// complete, bottom up (level k, index i covers leaves [i << k, (i + 1) << k)). Storage keeps
    /// these nodes so `MerkleProofs` can read them later.
    ///
    /// Precondition: `size < UInt64.max`.
    public mutating func append(
        _ leaf: TreeHash, visit: (_ level: Int, _ index: UInt64, _ hash: TreeHash) -> Void
    ) {
        precondition(size < UInt64.max, "compact range is full")
        var hash = leaf
        var level = 0
        var index = size
        visit(level, index, hash)
        // Each set low bit of the old size is a perfect subtree of that level to merge with.
        while (size >> UInt64(level)) & 1 == 1 {
            hash = RFC9162.nodeHash(hashes.removeLast(), hash)
            level += 1
            index >>= 1
            visit(level, index, hash)
        }
        hashes.append(hash)
        size += 1
        assert(hashes.count == size.nonzeroBitCount)
    }

    /// Appends a whole perfect subtree of `1 << level` leaves, given its root, in O(log n): the
    /// same range as appending its leaves one by one, without their node hashes. A verifier that
    /// hashes blocks of leaves on several cores joins each block's root here.
    ///
    /// Precondition: `size` is a multiple of `1 << level` (the subtree is aligned, as every
    /// perfect subtree of the RFC 9162 tree is) and the range stays below 2^64 leaves.
    public mutating func appendSubtree(_ root: TreeHash, level: Int) {
        precondition(level >= 0 && level < 64, "subtree level \(level) out of 0..<64")
        let leaves = UInt64(1) << UInt64(level)
        precondition(size & (leaves - 1) == 0, "a subtree of \(leaves) leaves cannot start at \(size)")
        precondition(size <= UInt64.max - leaves, "compact range is full")
        var hash = root
        var merged = level
        while merged < 64 && (size >> UInt64(merged)) & 1 == 1 {
            hash = RFC9162.nodeHash(hashes.removeLast(), hash)
            merged += 1
        }
        hashes.append(hash)
        size += leaves
        assert(hashes.count == size.nonzeroBitCount)
    }

    /// Appends one leaf hash, ignoring the completed nodes.
    public mutating func append(_ leaf: TreeHash) {
        append(leaf) { _, _, _ in }
    }

    /// The RFC 9162 Merkle tree hash of the first `size` leaves: the hashes folded right to left,
    /// or `RFC9162.emptyRoot` when empty.
    public func root() -> TreeHash {
        guard var root = hashes.last else { return RFC9162.emptyRoot }
        for hash in hashes.dropLast().reversed() {
            root = RFC9162.nodeHash(hash, root)
        }
        return root
    }

    /// `size` as 8 bytes big-endian, then each hash's 32 bytes, largest subtree first.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + hashes.count * TreeHash.byteCount)
        for shift in stride(from: 56, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: size >> UInt64(shift)))
        }
        for hash in hashes { out.append(contentsOf: hash.bytes) }
        return out
    }

    /// Decodes `serialized()` output.
    /// - Throws: `MerkleError.malformed` if the length is not 8 + 32 × popcount(size) (remedy: the
    ///   stored bytes are damaged or from another format; rebuild the range from the leaves).
    public init(serialized bytes: [UInt8]) throws(MerkleError) {
        guard bytes.count >= 8 else {
            throw MerkleError(.malformed, "a serialized compact range has at least 8 bytes, got \(bytes.count)")
        }
        let size = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let want = 8 + size.nonzeroBitCount * TreeHash.byteCount
        guard bytes.count == want else {
            throw MerkleError(
                .malformed, "a serialized compact range of size \(size) has \(want) bytes, got \(bytes.count)")
        }
        var hashes: [TreeHash] = []
        var offset = 8
        while offset < bytes.count {
            hashes.append(TreeHash(unchecked: Array(bytes[offset..<offset + TreeHash.byteCount])))
            offset += TreeHash.byteCount
        }
        try self.init(size: size, hashes: hashes)
    }
}
