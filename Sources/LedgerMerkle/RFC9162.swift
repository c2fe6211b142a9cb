import Crypto

/// The hashing of RFC 9162 §2.1.1 (the same as RFC 6962 §2.1) with SHA-256.
public enum RFC9162 {
    /// Domain-separation prefix of leaf hashes.
    static let leafPrefix: UInt8 = 0x00
    /// Domain-separation prefix of interior node hashes.
    static let nodePrefix: UInt8 = 0x01
    /// The leaf prefix, for code that hashes a leaf's bytes in pieces (an export line without
    /// its `leafHash` member).
    public static var leafPrefixByte: UInt8 { leafPrefix }

    /// SHA-256(0x00 ‖ data): the hash of one leaf. `data` is only read during the call.
    public static func leafHash(_ data: UnsafeRawBufferPointer) -> TreeHash {
        var hasher = SHA256()
        withUnsafeBytes(of: leafPrefix) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: data)
        return finish(hasher)
    }

    /// SHA-256(0x00 ‖ data): the hash of one leaf.
    public static func leafHash(_ data: [UInt8]) -> TreeHash {
        data.withUnsafeBytes { leafHash($0) }
    }

    /// SHA-256(0x01 ‖ left ‖ right): the hash of an interior node.
    public static func nodeHash(_ left: TreeHash, _ right: TreeHash) -> TreeHash {
        var hasher = SHA256()
        withUnsafeBytes(of: nodePrefix) { hasher.update(bufferPointer: $0) }
        left.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return finish(hasher)
    }

    /// SHA-256(0x01 ‖ left ‖ right) from and into raw memory: 32 bytes at `left` and at `right`,
    /// the 32-byte result written to `out` (which may be `left` or `right`).
    public static func nodeHash(_ left: UnsafeRawPointer, _ right: UnsafeRawPointer, into out: UnsafeMutableRawPointer) {
        withUnsafeTemporaryAllocation(byteCount: 1 + 2 * TreeHash.byteCount, alignment: 1) { input in
            input[0] = nodePrefix
            (input.baseAddress! + 1).copyMemory(from: left, byteCount: TreeHash.byteCount)
            (input.baseAddress! + 1 + TreeHash.byteCount).copyMemory(from: right, byteCount: TreeHash.byteCount)
            SHA256.hash(data: UnsafeRawBufferPointer(input)).withUnsafeBytes {
                out.copyMemory(from: $0.baseAddress!, byteCount: TreeHash.byteCount)
            }
        }
    }

    /// The root of a perfect subtree from its `count` leaf hashes, stored 32 bytes apart at
    /// `hashes`, computed in place (the leaf hashes are overwritten; the root ends up in the
    /// first 32 bytes). RFC 9162's MTH of a power-of-two number of leaves: pairs are hashed level
    /// by level. Precondition: `count` is a power of two.
    public static func perfectSubtreeRoot(inPlace hashes: UnsafeMutableRawPointer, count: Int) {
        precondition(count > 0 && count & (count - 1) == 0, "a perfect subtree has 2^k leaves, not \(count)")
        var width = count
        while width > 1 {
            for j in 0..<(width / 2) {
                let left = hashes + 2 * j * TreeHash.byteCount
                nodeHash(left, left + TreeHash.byteCount, into: hashes + j * TreeHash.byteCount)
            }
            width /= 2
        }
    }

    /// The root of the empty tree: SHA-256 of no bytes
    /// (e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855).
    public static let emptyRoot: TreeHash = finish(SHA256())

    private static func finish(_ hasher: SHA256) -> TreeHash {
        let digest = hasher.finalize()
        return TreeHash(unchecked: digest.withUnsafeBytes { Array($0) })
    }
}
