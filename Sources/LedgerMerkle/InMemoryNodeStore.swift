/// Every perfect-subtree node of a tree, in memory, as one flat byte array per level
/// (32 bytes a node, about 64 bytes a leaf in all: 10 M leaves take about 640 MB).
///
/// Used by tests and small offline checks. To only compute a root while streaming, use
/// `CompactRange` alone (O(log n) memory).
public struct InMemoryNodeStore: PerfectNodeSource, Sendable {
    /// `levels[k]` holds the nodes of level k back to back, 32 bytes each, in index order.
    private var levels: [[UInt8]] = []
    /// The frontier, kept so appends are O(log n) and `root()` is cheap.
    public private(set) var range = CompactRange()

    /// The number of leaves.
    public var size: UInt64 { range.size }

    public init() {}

    /// Builds the tree over `leafHashes`, in order.
    public init(leafHashes: some Sequence<TreeHash>) {
        for leaf in leafHashes { append(leaf) }
    }

    /// Appends one leaf hash and stores every node it completes.
    public mutating func append(_ leaf: TreeHash) {
        var range = self.range
        var levels = self.levels
        self.levels = []  // keep the level arrays uniquely referenced while appending
        range.append(leaf) { level, index, hash in
            if level == levels.count { levels.append([]) }
            assert(UInt64(levels[level].count / TreeHash.byteCount) == index, "nodes arrive in order")
            levels[level].append(contentsOf: hash.bytes)
        }
        self.range = range
        self.levels = levels
    }

    /// The RFC 9162 root of all leaves appended so far.
    public func root() -> TreeHash { range.root() }

    /// - Throws: `MerkleError.indexOutOfRange` if that node is not complete in this tree
    ///   (remedy: ask only for nodes below the tree size).
    public func perfectNode(level: Int, index: UInt64) throws -> TreeHash {
        guard level >= 0, level < levels.count,
            index < UInt64(levels[level].count / TreeHash.byteCount)
        else {
            throw MerkleError(
                .indexOutOfRange,
                "no complete node at level \(level) index \(index) in a tree of size \(size)")
        }
        let start = Int(index) * TreeHash.byteCount
        return TreeHash(unchecked: Array(levels[level][start..<start + TreeHash.byteCount]))
    }
}
