import Foundation
import Testing
@testable import LedgerMerkle

@Suite struct CompactRangeTests {
    private func range(over leaves: [[UInt8]]) -> CompactRange {
        var range = CompactRange()
        for leaf in leaves { range.append(RFC9162.leafHash(leaf)) }
        return range
    }

    @Test func classicRootsForSizes0Through8() {
        for size in 0...8 {
            let root = range(over: Array(Fixtures.classicLeaves.prefix(size))).root()
            #expect(root.hex == Fixtures.classicRoots[size], "size \(size)")
        }
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 130])
    func rootsMatchNaiveReference(size: Int) {
        let leaves = Fixtures.byteLeaves(size)
        let compact = range(over: leaves)
        #expect(compact.root().bytes == Reference.mth(leaves[...]))
        #expect(compact.size == UInt64(size))
        #expect(compact.hashes.count == size.nonzeroBitCount)
    }

    @Test func rootsMatchVectorFile() throws {
        struct Root: Decodable { let size: Int; let root: String; let leaves: String }
        let roots = try VectorFile.load([Root].self, "roots")
        #expect(roots.count > 20)
        for entry in roots {
            let leaves = entry.leaves == "classic"
                ? Array(Fixtures.classicLeaves.prefix(entry.size)) : Fixtures.byteLeaves(entry.size)
            #expect(range(over: leaves).root().hex == entry.root, "\(entry.leaves) size \(entry.size)")
        }
    }

    @Test func hashesAreThePerfectSubtreeRootsLargestFirst() {
        // transparency-dev/merkle testonly.CompactTrees for size 7: nh[2][0], nh[1][2], nh[0][6].
        let compact = range(over: Array(Fixtures.classicLeaves.prefix(7)))
        #expect(compact.hashes.map(\.hex) == [
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        ])
    }

    @Test func appendVisitsLeafThenCompletedParents() {
        var compact = CompactRange()
        var visits: [[(Int, UInt64)]] = []
        for leaf in Fixtures.byteLeaves(8) {
            var these: [(Int, UInt64)] = []
            compact.append(RFC9162.leafHash(leaf)) { level, index, hash in
                these.append((level, index))
                let start = Int(index) << level
                let end = Int(index + 1) << level
                #expect(hash.bytes == Reference.mth(Fixtures.byteLeaves(8)[start..<end]))
            }
            visits.append(these)
        }
        let expected: [[(Int, UInt64)]] = [
            [(0, 0)], [(0, 1), (1, 0)], [(0, 2)], [(0, 3), (1, 1), (2, 0)],
            [(0, 4)], [(0, 5), (1, 2)], [(0, 6)], [(0, 7), (1, 3), (2, 1), (3, 0)],
        ]
        #expect(visits.map { $0.map(\.0) } == expected.map { $0.map(\.0) })
        #expect(visits.map { $0.map(\.1) } == expected.map { $0.map(\.1) })
    }

    @Test func serializedRoundTrip() throws {
        for size in [0, 1, 5, 8, 13, 64, 100] {
            let compact = range(over: Fixtures.byteLeaves(size))
            let bytes = compact.serialized()
            #expect(bytes.count == 8 + 32 * size.nonzeroBitCount)
            #expect(Array(bytes.prefix(8)) == withUnsafeBytes(of: UInt64(size).bigEndian, Array.init))
            let back = try CompactRange(serialized: bytes)
            #expect(back == compact)
            #expect(back.root() == compact.root())
        }
    }

    @Test func restoredRangeKeepsAppending() throws {
        let leaves = Fixtures.byteLeaves(21)
        var restored = try CompactRange(serialized: range(over: Array(leaves.prefix(13))).serialized())
        for leaf in leaves.dropFirst(13) { restored.append(RFC9162.leafHash(leaf)) }
        #expect(restored.root().bytes == Reference.mth(leaves[...]))
    }

    @Test func inconsistentHashCountIsRefused() throws {
        let hash = RFC9162.leafHash([1])
        #expect(throws: MerkleError(.malformed, "a compact range of size 3 has 2 hashes, got 1")) {
            try CompactRange(size: 3, hashes: [hash])
        }
        #expect(throws: MerkleError.self) { try CompactRange(size: 0, hashes: [hash]) }
        #expect(throws: MerkleError.self) { try CompactRange(size: 4, hashes: [hash, hash]) }
        let ok = try CompactRange(size: 5, hashes: [hash, hash])
        #expect(ok.size == 5)
    }

    @Test func malformedSerializationIsRefused() {
        let good = range(over: Fixtures.byteLeaves(5)).serialized()
        for bad in [[], Array(good.prefix(7)), Array(good.dropLast()), good + [0], Array(good.prefix(8))] {
            #expect(throws: MerkleError.self) { try CompactRange(serialized: bad) }
            do { _ = try CompactRange(serialized: bad) } catch { #expect(error.code == .malformed) }
        }
    }
}

/// Appending a whole perfect subtree by its root, and computing that root in place, must give
/// exactly what appending its leaves one by one gives (the export verifier relies on both).
@Suite struct SubtreeAppendTests {
    @Test func appendingASubtreeEqualsAppendingItsLeaves() {
        let leaves = Fixtures.byteLeaves(160).map { RFC9162.leafHash($0) }
        for start in 0..<96 {
            // Every subtree size that may start here: 2^level dividing `start` (any at 0).
            for level in 0...6 where start % (1 << level) == 0 && start + (1 << level) <= leaves.count {
                var byLeaves = CompactRange()
                for leaf in leaves[..<(start + (1 << level))] { byLeaves.append(leaf) }
                var bySubtree = CompactRange()
                for leaf in leaves[..<start] { bySubtree.append(leaf) }
                var block = leaves[start..<(start + (1 << level))].flatMap(\.bytes)
                block.withUnsafeMutableBytes { RFC9162.perfectSubtreeRoot(inPlace: $0.baseAddress!, count: 1 << level) }
                bySubtree.appendSubtree(try! TreeHash(Array(block[0..<32])), level: level)
                #expect(bySubtree == byLeaves, "subtree of 2^\(level) at \(start)")
                #expect(bySubtree.root().bytes == Reference.mth(Fixtures.byteLeaves(start + (1 << level))[...]))
            }
        }
    }

    @Test func thePointerNodeHashIsTheNodeHash() {
        let left = RFC9162.leafHash([1]), right = RFC9162.leafHash([2])
        var out = [UInt8](repeating: 0, count: 32)
        left.bytes.withUnsafeBytes { l in
            right.bytes.withUnsafeBytes { r in
                out.withUnsafeMutableBytes { RFC9162.nodeHash(l.baseAddress!, r.baseAddress!, into: $0.baseAddress!) }
            }
        }
        #expect(out == RFC9162.nodeHash(left, right).bytes)
        #expect(out == Reference.node(left.bytes, right.bytes))
    }
}
