import Crypto

/// The hashing of RFC 9162 §2.1.1 (the same as RFC 6962 §2.1) with SHA-256.
public enum RFC9162 {
    /// Domain-separation prefix of leaf hashes.
    static let leafPrefix: UInt8 = 0x00
    /// Domain-separation prefix of interior node hashes.
    static let nodePrefix: UInt8 = 0x01

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

    /// The root of the empty tree: SHA-256 of no bytes
    /// (e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855).
    public static let emptyRoot: TreeHash = finish(SHA256())

    private static func finish(_ hasher: SHA256) -> TreeHash {
        let digest = hasher.finalize()
        return TreeHash(unchecked: digest.withUnsafeBytes { Array($0) })
    }
}
