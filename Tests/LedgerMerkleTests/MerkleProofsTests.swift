import Testing
@testable import LedgerMerkle

@Suite struct MerkleProofsTests {
    static let maxSize = 40
    static let leaves = Fixtures.byteLeaves(maxSize)
    static let store = Fixtures.store(leaves)

    @Test func rootsFromNodesMatchReference() throws {
        for size in 0...Self.maxSize {
            let root = try MerkleProofs.root(size: UInt64(size), nodes: Self.store)
            #expect(root.bytes == Reference.mth(Self.leaves[..<size]), "size \(size)")
        }
    }

    @Test func subtreeHashComposesPerfectNodes() throws {
        // Every range the RFC recursion can produce: start a multiple of a power of two ≥ length.
        for start in 0..<Self.maxSize {
            for end in (start + 1)...Self.maxSize {
                let length = end - start
                var align = 1
                while align < length { align *= 2 }
                guard start % align == 0 else { continue }
                let hash = try MerkleProofs.subtreeHash(UInt64(start), UInt64(end), Self.store)
                #expect(hash.bytes == Reference.mth(Self.leaves[start..<end]), "[\(start), \(end))")
            }
        }
    }

    @Test func inclusionProofsForEveryIndexUpTo40() throws {
        for size in 1...Self.maxSize {
            let d = Self.leaves[..<size]
            let root = Reference.mth(d)
            for index in 0..<size {
                let proof = try MerkleProofs.inclusionProof(index: UInt64(index), size: UInt64(size), nodes: Self.store)
                #expect(proof.map(\.bytes) == Reference.path(index, d), "\(index)/\(size)")
                let leaf = Reference.leaf(d[index])
                #expect(Reference.verifyInclusion(
                    index: UInt64(index), size: UInt64(size), hash: leaf, path: proof.map(\.bytes), root: root))
                #expect(throws: Never.self) {
                    try MerkleVerifier.verifyInclusion(
                        leafHash: TreeHash(leaf), index: UInt64(index), size: UInt64(size), proof: proof,
                        root: TreeHash(root))
                }
            }
        }
    }

    @Test func consistencyProofsForEveryPairUpTo40() throws {
        for newSize in 1...Self.maxSize {
            let newRoot = Reference.mth(Self.leaves[..<newSize])
            for oldSize in 1...newSize {
                let oldRoot = Reference.mth(Self.leaves[..<oldSize])
                let proof = try MerkleProofs.consistencyProof(
                    from: UInt64(oldSize), to: UInt64(newSize), nodes: Self.store)
                #expect(proof.map(\.bytes) == Reference.proof(oldSize, Self.leaves[..<newSize]), "\(oldSize)→\(newSize)")
                if oldSize < newSize {
                    #expect(Reference.verifyConsistency(
                        first: UInt64(oldSize), second: UInt64(newSize), firstHash: oldRoot, secondHash: newRoot,
                        path: proof.map(\.bytes)), "\(oldSize)→\(newSize)")
                } else {
                    #expect(proof.isEmpty)
                }
                #expect(throws: Never.self) {
                    try MerkleVerifier.verifyConsistency(
                        oldSize: UInt64(oldSize), newSize: UInt64(newSize), oldRoot: TreeHash(oldRoot),
                        newRoot: TreeHash(newRoot), proof: proof)
                }
            }
        }
    }

    /// Proofs by the module's verifier must fail when the test's RFC verifier fails, for proofs of
    /// other trees (wrong pairing of proof and sizes).
    @Test func verifiersAgreeOnMismatchedProofs() throws {
        for size in 2...12 {
            let root = try TreeHash(Reference.mth(Self.leaves[..<size]))
            for index in 0..<size {
                let proof = try MerkleProofs.inclusionProof(index: UInt64(index), size: UInt64(size), nodes: Self.store)
                for otherIndex in 0..<(size + 1) {
                    let leaf = try TreeHash(Reference.leaf(Self.leaves[min(otherIndex, Self.maxSize - 1)]))
                    let rfc = Reference.verifyInclusion(
                        index: UInt64(otherIndex), size: UInt64(size), hash: leaf.bytes, path: proof.map(\.bytes),
                        root: root.bytes)
                    let ours = (try? MerkleVerifier.verifyInclusion(
                        leafHash: leaf, index: UInt64(otherIndex), size: UInt64(size), proof: proof, root: root)) != nil
                    #expect(rfc == ours, "proof \(index)/\(size) used for \(otherIndex)")
                    #expect(ours == (otherIndex == index))
                }
            }
        }
    }

    /// transparency-dev/merkle testonly/reference_test.go, over the classic leaves.
    @Test func knownAnswerInclusionProofs() throws {
        let store = Fixtures.store(Fixtures.classicLeaves)
        let cases: [(UInt64, UInt64, [String])] = [
            (0, 1, []),
            (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
            (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
            (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
            (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
            (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
            (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        ]
        for (index, size, want) in cases {
            let proof = try MerkleProofs.inclusionProof(index: index, size: size, nodes: store)
            #expect(proof.map(\.hex) == want, "\(index)/\(size)")
        }
    }

    @Test func knownAnswerConsistencyProofs() throws {
        let store = Fixtures.store(Fixtures.classicLeaves)
        let cases: [(UInt64, UInt64, [String])] = [
            (1, 1, []),
            (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
            (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
            (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        ]
        for (oldSize, newSize, want) in cases {
            let proof = try MerkleProofs.consistencyProof(from: oldSize, to: newSize, nodes: store)
            #expect(proof.map(\.hex) == want, "\(oldSize)→\(newSize)")
        }
    }

    @Test func badArgumentsAreRefused() throws {
        let store = Fixtures.store(Fixtures.byteLeaves(5))
        #expect(throws: MerkleError(.indexOutOfRange, "leaf index 5 is not below tree size 5")) {
            try MerkleProofs.inclusionProof(index: 5, size: 5, nodes: store)
        }
        #expect(throws: MerkleError.self) { try MerkleProofs.inclusionProof(index: 0, size: 0, nodes: store) }
        #expect(throws: MerkleError(.badSizes, "old size 4 is above new size 3")) {
            try MerkleProofs.consistencyProof(from: 4, to: 3, nodes: store)
        }
        // Asking beyond the stored tree surfaces the source's error.
        #expect(throws: MerkleError.self) { try MerkleProofs.inclusionProof(index: 0, size: 6, nodes: store) }
        #expect(try MerkleProofs.consistencyProof(from: 0, to: 5, nodes: store).isEmpty)
        #expect(try MerkleProofs.root(size: 0, nodes: store) == RFC9162.emptyRoot)
    }

    @Test func inMemoryStoreRefusesIncompleteNodes() throws {
        let store = Fixtures.store(Fixtures.byteLeaves(5))
        #expect(store.size == 5)
        #expect(try store.perfectNode(level: 2, index: 0).bytes == Reference.mth(Fixtures.byteLeaves(4)[...]))
        #expect(try store.perfectNode(level: 0, index: 4).bytes == Reference.leaf([4]))
        for (level, index) in [(0, 5), (1, 2), (2, 1), (3, 0), (-1, 0), (64, 0)] as [(Int, UInt64)] {
            #expect(throws: MerkleError.self) { try store.perfectNode(level: level, index: index) }
        }
        #expect(store.root().bytes == Reference.mth(Fixtures.byteLeaves(5)[...]))
    }

    /// A source that records reads, to show proofs read O(log n) nodes, not O(n).
    final class CountingSource: PerfectNodeSource {
        let inner: InMemoryNodeStore
        var reads = 0
        init(_ inner: InMemoryNodeStore) { self.inner = inner }
        func perfectNode(level: Int, index: UInt64) throws -> TreeHash {
            reads += 1
            return try inner.perfectNode(level: level, index: index)
        }
    }

    @Test func proofsReadFewNodes() throws {
        let source = CountingSource(Fixtures.store(Fixtures.byteLeaves(1000)))
        _ = try MerkleProofs.inclusionProof(index: 637, size: 999, nodes: source)
        #expect(source.reads <= 10 * 10)
        source.reads = 0
        _ = try MerkleProofs.consistencyProof(from: 333, to: 999, nodes: source)
        #expect(source.reads <= 10 * 10)
        source.reads = 0
        _ = try MerkleProofs.root(size: 999, nodes: source)
        #expect(source.reads == 999.nonzeroBitCount)
    }
}

/// Hostile input for the verifiers: proofs changed in any way (a flipped bit
/// in any hash, a hash added or dropped, sizes and indexes off by one or huge)
/// are refused, never accepted and never a trap.
@Suite struct ForgedProofTests {
    static let leaves = Fixtures.byteLeaves(40)
    static let store = Fixtures.store(leaves)

    /// Variants of `proof`: each hash with one bit flipped, one hash dropped, one repeated.
    static func forgeries(of proof: [TreeHash], salt: Int) -> [[TreeHash]] {
        var out: [[TreeHash]] = []
        for i in proof.indices {
            var bytes = proof[i].bytes
            bytes[(i + salt) % 32] ^= UInt8(1 << ((i + salt) % 8))
            var flipped = proof
            flipped[i] = try! TreeHash(bytes)
            out.append(flipped)
        }
        if !proof.isEmpty { out.append(Array(proof.dropLast())) }
        out.append(proof + [proof.first ?? RFC9162.emptyRoot])
        return out
    }

    @Test func forgedInclusionProofsAreRefused() throws {
        for size in 1...40 {
            let root = try TreeHash(Reference.mth(Self.leaves[..<size]))
            for index in 0..<size {
                let leaf = RFC9162.leafHash(Self.leaves[index])
                let proof = try MerkleProofs.inclusionProof(index: UInt64(index), size: UInt64(size), nodes: Self.store)
                for forged in Self.forgeries(of: proof, salt: index) {
                    #expect(throws: MerkleError.self) {
                        try MerkleVerifier.verifyInclusion(
                            leafHash: leaf, index: UInt64(index), size: UInt64(size), proof: forged, root: root)
                    }
                }
                for (badIndex, badSize) in [(UInt64(index), UInt64.max), (UInt64.max, UInt64(size)),
                                            (UInt64(size), UInt64(size)), (UInt64(index) + 1, UInt64(size) + 1)]
                    where !(badIndex == UInt64(index) && badSize == UInt64(size))
                {
                    // The root is the one of the size claimed, as a checkpoint would bind them (the
                    // RFC's algorithm cannot tell a root of another size that the path happens to give).
                    let claimedRoot = badSize <= 40 ? try TreeHash(Reference.mth(Self.leaves[..<Int(badSize)])) : root
                    #expect(throws: MerkleError.self) {
                        try MerkleVerifier.verifyInclusion(
                            leafHash: leaf, index: badIndex, size: badSize, proof: proof, root: claimedRoot)
                    }
                }
            }
        }
    }

    @Test func forgedConsistencyProofsAreRefused() throws {
        for newSize in 2...40 {
            let newRoot = try TreeHash(Reference.mth(Self.leaves[..<newSize]))
            for oldSize in 1..<newSize {
                let oldRoot = try TreeHash(Reference.mth(Self.leaves[..<oldSize]))
                let proof = try MerkleProofs.consistencyProof(from: UInt64(oldSize), to: UInt64(newSize), nodes: Self.store)
                for forged in Self.forgeries(of: proof, salt: oldSize) {
                    #expect(throws: MerkleError.self) {
                        try MerkleVerifier.verifyConsistency(
                            oldSize: UInt64(oldSize), newSize: UInt64(newSize), oldRoot: oldRoot, newRoot: newRoot,
                            proof: forged)
                    }
                }
                for (badOld, badNew) in [(UInt64(oldSize), UInt64.max), (UInt64.max, UInt64.max),
                                         (UInt64(newSize), UInt64(oldSize)), (UInt64(oldSize) + 1, UInt64(newSize))]
                {
                    #expect(throws: MerkleError.self) {
                        try MerkleVerifier.verifyConsistency(
                            oldSize: badOld, newSize: badNew, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
                    }
                }
            }
        }
    }
}
