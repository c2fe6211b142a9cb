/// Where proofs get hashes from. The storage keeps every perfect-subtree node (each node that
/// `CompactRange.append` visits), so any RFC 9162 subtree hash can be read in O(log n).
public protocol PerfectNodeSource {
    /// The hash of the perfect subtree at `level` covering leaves [index << level, (index + 1) << level).
    ///
    /// Called only for nodes that are complete in the tree being proved (all their leaves exist).
    /// - Throws: whatever the storage throws; a node that should exist but does not is an
    ///   integrity failure of the storage.
    func perfectNode(level: Int, index: UInt64) throws -> TreeHash
}
