import Testing
@testable import LedgerMerkle

/// The data files in Vectors/: upstream happy paths, larger trees, and systematic mutations
/// (see Vectors/generate.py). Valid cases must pass, every mutation must be refused.
@Suite struct VectorTests {
    struct InclusionCase: Decodable, CustomStringConvertible {
        let index: UInt64, size: UInt64, root: String, leafHash: String, proof: [String]
        let desc: String, wantErr: Bool
        var description: String { desc }
    }

    struct ConsistencyCase: Decodable, CustomStringConvertible {
        let size1: UInt64, size2: UInt64, root1: String, root2: String, proof: [String]
        let desc: String, wantErr: Bool
        var description: String { desc }
    }

    /// Decodes a base64 field; a field that is not a 32-byte hash fails with `wrongLength`
    /// through `TreeHash.init`, exactly as a proof arriving over the wire would.
    static func hash(_ base64: String) throws(MerkleError) -> TreeHash {
        guard let bytes = Base64.decode(base64) else { throw MerkleError(.malformed, "bad base64 \(base64)") }
        return try TreeHash(bytes)
    }

    static let inclusion = (try? VectorFile.load([InclusionCase].self, "inclusion")) ?? []
    static let consistency = (try? VectorFile.load([ConsistencyCase].self, "consistency")) ?? []

    @Test func vectorFilesAreLoadedAndCoverEveryMutation() {
        #expect(Self.inclusion.count > 200)
        #expect(Self.consistency.count > 200)
        for kind in ["wrong-leaf", "wrong-index", "truncated-proof", "extended-proof", "flipped-bit",
                     "wrong-size", "trailing-garbage", "preceding-garbage", "happy path"] {
            #expect(Self.inclusion.contains { $0.desc.contains(kind) }, "inclusion \(kind)")
        }
        for kind in ["swapped-roots", "wrong-root1", "wrong-root2", "truncated-proof", "extended-proof",
                     "flipped-bit", "wrong-size", "trailing-garbage", "empty-proof", "happy path"] {
            #expect(Self.consistency.contains { $0.desc.contains(kind) }, "consistency \(kind)")
        }
        #expect(Self.inclusion.filter { !$0.wantErr }.count >= 10)
        #expect(Self.consistency.filter { !$0.wantErr }.count >= 10)
    }

    @Test(arguments: inclusion)
    func inclusionVector(_ c: InclusionCase) {
        let result = Result { () throws(MerkleError) in
            try MerkleVerifier.verifyInclusion(
                leafHash: Self.hash(c.leafHash), index: c.index, size: c.size,
                proof: c.proof.map { (p) throws(MerkleError) in try Self.hash(p) }, root: Self.hash(c.root))
        }
        switch result {
        case .success: #expect(!c.wantErr, "accepted: \(c.desc)")
        case .failure(let error):
            #expect(c.wantErr, "refused: \(c.desc): \(error)")
            if c.desc.contains("trailing-garbage") { #expect(error.code == .wrongLength) }
            if c.desc.contains("flipped-bit") || c.desc.contains("wrong-leaf") { #expect(error.code == .rootMismatch) }
            if c.desc.contains("extended-proof") || c.desc.contains("truncated-proof") {
                #expect(error.code == .wrongProofSize)
            }
        }
    }

    @Test(arguments: consistency)
    func consistencyVector(_ c: ConsistencyCase) {
        let result = Result { () throws(MerkleError) in
            try MerkleVerifier.verifyConsistency(
                oldSize: c.size1, newSize: c.size2, oldRoot: Self.hash(c.root1), newRoot: Self.hash(c.root2),
                proof: c.proof.map { (p) throws(MerkleError) in try Self.hash(p) })
        }
        switch result {
        case .success: #expect(!c.wantErr, "accepted: \(c.desc)")
        case .failure(let error):
            #expect(c.wantErr, "refused: \(c.desc): \(error)")
            if c.desc.contains("trailing-garbage") { #expect(error.code == .wrongLength) }
            if c.desc.contains("extended-proof") || c.desc.contains("truncated-proof") {
                #expect(error.code == .wrongProofSize)
            }
        }
    }

    /// The happy paths also agree with the test's own RFC 9162 verifiers.
    @Test func happyPathsPassTheReferenceVerifiers() throws {
        for c in Self.inclusion where !c.wantErr {
            #expect(Reference.verifyInclusion(
                index: c.index, size: c.size, hash: try Self.hash(c.leafHash).bytes,
                path: try c.proof.map { try Self.hash($0).bytes }, root: try Self.hash(c.root).bytes), "\(c.desc)")
        }
        for c in Self.consistency where !c.wantErr && c.size1 < c.size2 {
            #expect(Reference.verifyConsistency(
                first: c.size1, second: c.size2, firstHash: try Self.hash(c.root1).bytes,
                secondHash: try Self.hash(c.root2).bytes, path: try c.proof.map { try Self.hash($0).bytes }), "\(c.desc)")
        }
    }
}

@Suite struct MerkleVerifierErrorTests {
    static let leaves = Fixtures.byteLeaves(8)
    static let store = Fixtures.store(leaves)

    @Test func errorsNameGotAndWant() throws {
        let root = Self.store.root()
        let leaf = RFC9162.leafHash(Self.leaves[3])
        let proof = try MerkleProofs.inclusionProof(index: 3, size: 8, nodes: Self.store)
        #expect(throws: MerkleError(.indexOutOfRange, "leaf index 8 is not below tree size 8")) {
            try MerkleVerifier.verifyInclusion(leafHash: leaf, index: 8, size: 8, proof: proof, root: root)
        }
        #expect(throws: MerkleError(.wrongProofSize, "inclusion proof for leaf 3 in tree of size 8 has 3 hashes, got 2")) {
            try MerkleVerifier.verifyInclusion(leafHash: leaf, index: 3, size: 8, proof: Array(proof.prefix(2)), root: root)
        }
        do {
            try MerkleVerifier.verifyInclusion(leafHash: leaf, index: 3, size: 8, proof: proof, root: RFC9162.emptyRoot)
            Issue.record("accepted a wrong root")
        } catch {
            #expect(error.code == .rootMismatch)
            #expect(error.message.contains(root.hex) && error.message.contains(RFC9162.emptyRoot.hex))
        }
        #expect(try MerkleVerifier.rootFromInclusionProof(leafHash: leaf, index: 3, size: 8, proof: proof) == root)
    }

    @Test func consistencyEdgeCases() throws {
        let root3 = try MerkleProofs.root(size: 3, nodes: Self.store)
        let root8 = Self.store.root()
        let proof = try MerkleProofs.consistencyProof(from: 3, to: 8, nodes: Self.store)
        #expect(throws: MerkleError.self) {
            try MerkleVerifier.verifyConsistency(oldSize: 8, newSize: 3, oldRoot: root8, newRoot: root3, proof: proof)
        }
        do {
            try MerkleVerifier.verifyConsistency(oldSize: 8, newSize: 3, oldRoot: root8, newRoot: root3, proof: proof)
        } catch { #expect(error.code == .badSizes) }
        // Equal sizes: empty proof and equal roots.
        try MerkleVerifier.verifyConsistency(oldSize: 8, newSize: 8, oldRoot: root8, newRoot: root8, proof: [])
        #expect(throws: MerkleError.self) {
            try MerkleVerifier.verifyConsistency(oldSize: 8, newSize: 8, oldRoot: root8, newRoot: root3, proof: [])
        }
        #expect(throws: MerkleError.self) {
            try MerkleVerifier.verifyConsistency(oldSize: 8, newSize: 8, oldRoot: root8, newRoot: root8, proof: [root8])
        }
        // From the empty tree: nothing to prove but the old root.
        try MerkleVerifier.verifyConsistency(oldSize: 0, newSize: 8, oldRoot: RFC9162.emptyRoot, newRoot: root8, proof: [])
        try MerkleVerifier.verifyConsistency(oldSize: 0, newSize: 0, oldRoot: RFC9162.emptyRoot, newRoot: RFC9162.emptyRoot, proof: [])
        #expect(throws: MerkleError.self) {
            try MerkleVerifier.verifyConsistency(oldSize: 0, newSize: 8, oldRoot: root3, newRoot: root8, proof: [])
        }
        #expect(throws: MerkleError.self) {
            try MerkleVerifier.verifyConsistency(oldSize: 0, newSize: 8, oldRoot: RFC9162.emptyRoot, newRoot: root8, proof: [root3])
        }
        #expect(throws: MerkleError.self) {
            try MerkleVerifier.rootFromConsistencyProof(oldSize: 0, newSize: 8, oldRoot: RFC9162.emptyRoot, proof: [])
        }
        #expect(try MerkleVerifier.rootFromConsistencyProof(oldSize: 3, newSize: 8, oldRoot: root3, proof: proof) == root8)
        // A forked log: same old size, different old root.
        let forked = Fixtures.store(Fixtures.byteLeaves(2) + [[99]] + Array(Self.leaves.dropFirst(3)))
        let forkedProof = try MerkleProofs.consistencyProof(from: 3, to: 8, nodes: forked)
        do {
            try MerkleVerifier.verifyConsistency(oldSize: 3, newSize: 8, oldRoot: root3, newRoot: forked.root(), proof: forkedProof)
            Issue.record("accepted a fork")
        } catch { #expect(error.code == .rootMismatch) }
    }
}

@Suite struct ExtremeSizeTests {
    /// Sizes near 2^64 must give clean errors or results, never an arithmetic trap.
    @Test func hugeSizesDoNotTrap() throws {
        let h = RFC9162.leafHash([1])
        for (index, size) in [(UInt64.max - 1, UInt64.max), (0, UInt64.max), (1 << 63, UInt64.max), (UInt64.max - 1, UInt64.max - 1)] {
            #expect(throws: MerkleError.self) {
                try MerkleVerifier.verifyInclusion(leafHash: h, index: index, size: size, proof: [], root: h)
            }
        }
        // A tree of 2^63 leaves: every inclusion proof has 63 hashes.
        let proof = [TreeHash](repeating: h, count: 63)
        let root = try MerkleVerifier.rootFromInclusionProof(leafHash: h, index: 0, size: 1 << 63, proof: proof)
        #expect(root != h)
        for (old, new) in [(UInt64.max - 1, UInt64.max), (1, UInt64.max), (1 << 63, UInt64.max), (3, 1 << 63)] {
            #expect(throws: MerkleError.self) {
                try MerkleVerifier.verifyConsistency(oldSize: old, newSize: new, oldRoot: h, newRoot: h, proof: [h])
            }
        }
        let full = try CompactRange(size: UInt64.max, hashes: [TreeHash](repeating: h, count: 64))
        #expect(full.root() != h)
        #expect(try CompactRange(serialized: full.serialized()) == full)
    }
}
