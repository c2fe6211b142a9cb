import Crypto
import Dispatch
import Foundation
import LedgerJSON
import LedgerMerkle

/// The fast path of `ExportVerifier`: checks a block of export lines exactly
/// as `ledgerctl export` writes them and returns the root of the perfect
/// subtree they make, using both cores.
///
/// A line passes when the scanner vouches that it is canonical JSON, its
/// `seq` is the one expected, and its `leafHash` is the lowercase hex of
/// SHA-256(0x00 ‖ the line without its `leafHash` member). Anything else
/// (another valid form, a bad line) fails the block, and the verifier then
/// checks that block line by line the careful way, which names what is wrong.
/// So this path only ever says "all fine", never why not.
///
/// Lines are independent until the tree: a block is cut into parts (aligned
/// subtrees), and each part's lines and subtree are hashed by whichever core
/// comes free, writing only that part of `scratch`; the parts' roots are then
/// joined into the block's.
struct ExportBlockHasher: ~Copyable {
    /// Room for one 32-byte hash per line of the largest block.
    private let scratch: UnsafeMutableRawBufferPointer
    private var lines: [UnsafeRawBufferPointer] = []
    let blockLinesMax: Int
    /// Blocks smaller than this are hashed on the calling thread, in one part.
    static let partedLinesMin = 256
    /// How many pieces a large block is cut into, so that the two cores finish together.
    static let partsPerBlock = 32

    init(blockLinesMax: Int) {
        precondition(blockLinesMax > 0 && blockLinesMax & (blockLinesMax - 1) == 0, "blocks are 2^k lines")
        self.blockLinesMax = blockLinesMax
        scratch = .allocate(byteCount: blockLinesMax * TreeHash.byteCount, alignment: 16)
        lines.reserveCapacity(blockLinesMax)
    }

    deinit { scratch.deallocate() }

    /// Takes the block's lines: `count` of them, `line(i)` giving each, which should carry seqs
    /// `firstSeq`, `firstSeq + 1`, …. The memory behind them must stay put until `subtreeRoot`
    /// returns. Precondition: `count` is a power of two no larger than `blockLinesMax`.
    mutating func take(count: Int, line: (Int) -> UnsafeRawBufferPointer) {
        precondition(count > 0 && count <= blockLinesMax && count & (count - 1) == 0, "a block of \(count) lines")
        lines.removeAll(keepingCapacity: true)
        for index in 0..<count { lines.append(line(index)) }
    }

    /// The root of the subtree of the lines taken, whose first has seq `firstSeq`; nil if any
    /// line is not exactly as exported. `meanwhile` runs on the calling thread while other
    /// threads hash (the verifier reads ahead in it).
    func subtreeRoot(firstSeq: UInt64, meanwhile: () -> Void) -> TreeHash? {
        let count = lines.count
        precondition(count > 0 && count & (count - 1) == 0, "take a block first")
        // Blocks of at least `partedLinesMin` lines are cut into `parts` aligned subtrees,
        // handed out to both cores as they come free, beside one more task: `meanwhile`.
        let parts = count >= Self.partedLinesMin ? Self.partsPerBlock : 1
        let perPart = count / parts
        // The threads share the lines (read only) and scratch (each writes its own part).
        nonisolated(unsafe) let scratch = self.scratch.baseAddress!
        let passed = UnsafeMutableBufferPointer<Bool>.allocate(capacity: parts)
        defer { passed.deallocate() }
        passed.initialize(repeating: false)
        nonisolated(unsafe) let passedShared = passed
        lines.withUnsafeBufferPointer { lines in
            nonisolated(unsafe) let lines = lines
            let hashPart: @Sendable (Int) -> Void = { part in
                var members: [CanonicalScanner.Member] = []
                members.reserveCapacity(16)
                let first = part * perPart
                for index in first..<(first + perPart) {
                    guard Self.hashExportedLine(
                        lines[index], want: firstSeq + UInt64(index), members: &members,
                        into: scratch + index * TreeHash.byteCount)
                    else { return }
                }
                RFC9162.perfectSubtreeRoot(inPlace: scratch + first * TreeHash.byteCount, count: perPart)
                passedShared[part] = true
            }
            if parts == 1 {
                meanwhile()
                hashPart(0)
            } else {
                withoutActuallyEscaping(meanwhile) { meanwhile in
                    nonisolated(unsafe) let meanwhile = meanwhile
                    DispatchQueue.concurrentPerform(iterations: parts + 1) { task in
                        if task == 0 { meanwhile() } else { hashPart(task - 1) }
                    }
                }
            }
        }
        guard passed.allSatisfy({ $0 }) else { return nil }
        // Join the parts' roots (each `perPart` hashes apart) into the block's.
        var stride = perPart
        while stride < count {
            for left in Swift.stride(from: 0, to: count, by: 2 * stride) {
                let at = scratch + left * TreeHash.byteCount
                RFC9162.nodeHash(at, at + stride * TreeHash.byteCount, into: at)
            }
            stride *= 2
        }
        return try! TreeHash(Array(UnsafeRawBufferPointer(start: scratch, count: TreeHash.byteCount)))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    /// The 8 bytes of `leafHash` as one little- or big-endian load sees them.
    private static let leafHashKey: UInt64 = Array("leafHash".utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }

    /// Whether `line` is exactly as exported with seq `want`; if so its leaf hash is at `out`.
    /// `members` is scratch space, reused from line to line.
    static func hashExportedLine(
        _ line: UnsafeRawBufferPointer, want: UInt64, members: inout [CanonicalScanner.Member],
        into out: UnsafeMutableRawPointer
    ) -> Bool {
        guard CanonicalScanner.topLevelMembers(line, into: &members) else { return false }
        let base = line.baseAddress!
        var seqIndex = -1, leafIndex = -1
        for (index, member) in members.enumerated() {
            let key = base + member.key.lowerBound
            if member.key.count == 3, key.load(as: UInt8.self) == UInt8(ascii: "s"),
               key.load(fromByteOffset: 1, as: UInt8.self) == UInt8(ascii: "e"),
               key.load(fromByteOffset: 2, as: UInt8.self) == UInt8(ascii: "q")
            {
                seqIndex = index
            } else if member.key.count == 8, key.loadUnaligned(as: UInt64.self) == Self.leafHashKey {
                leafIndex = index
            }
        }
        guard seqIndex >= 0, leafIndex >= 0 else { return false }
        var seq: UInt64 = 0
        for offset in members[seqIndex].value {
            let digit = line[offset] &- UInt8(ascii: "0")
            guard digit < 10 else { return false }
            seq = seq &* 10 &+ UInt64(digit)
        }
        guard seq == want else { return false }
        let leafValue = members[leafIndex].value
        guard leafValue.count == 2 + 2 * TreeHash.byteCount else { return false }
        ExportVerifier.leafHash(ofLine: line, members: members, leafHashIndex: leafIndex).withUnsafeBytes {
            out.copyMemory(from: $0.baseAddress!, byteCount: TreeHash.byteCount)
        }
        // The claimed hash must be the computed one in lowercase hex.
        let claimed = base + leafValue.lowerBound + 1
        return hexDigits.withUnsafeBufferPointer { digits in
            for k in 0..<TreeHash.byteCount {
                let byte = out.load(fromByteOffset: k, as: UInt8.self)
                guard claimed.load(fromByteOffset: 2 * k, as: UInt8.self) == digits[Int(byte >> 4)],
                      claimed.load(fromByteOffset: 2 * k + 1, as: UInt8.self) == digits[Int(byte & 15)]
                else { return false }
            }
            return true
        }
    }
}
